"""The programme's progress report (issue 19): rendered by Celery through the reports
machinery, as PDF (text read back) and CSV, on demand and every quarter."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from programmes import services
from programmes.report import (
    programme_report_request,
    programme_reports_quarterly,
    quarter_reported,
)
from reports.models import Report
from reports.selectors import reports_visible_to
from tests import test_programmes
from tests.factories import UserFactory
from tests.test_programmes import laureate, staff

# The fixtures of the programme's tests.
programme = test_programmes.programme
call = test_programmes.call

pytestmark = pytest.mark.django_db


def pdf_text(report) -> str:
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.mark.usefixtures("tasks_in_process")
def test_the_pdf_progress_report_is_rendered_by_celery_and_reads_the_targets(
    call,
    django_capture_on_commit_callbacks,
):
    user = staff(call.programme)
    a = laureate(call, user, first_time=True)
    services.operator_choose(application=a, operator=call.programme.lead_agency)
    with django_capture_on_commit_callbacks(execute=True):
        report = programme_report_request(
            programme=call.programme, user=user, file_format="pdf", language="fr"
        )
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    text = pdf_text(report)
    assert "Territoires Volontaires T" in text
    assert "Rapport d’avancement" in text or "Rapport d'avancement" in text
    assert "250 missions" in text and "50 % primo-engagées" in text
    assert "Candidatures : 1 ; retenues : 1." in text
    assert report in reports_visible_to(user)
    assert report in reports_visible_to(staff(call.programme, role="viewer"))
    assert report not in reports_visible_to(UserFactory())


@pytest.mark.usefixtures("tasks_in_process")
def test_the_csv_progress_report_in_english(call, django_capture_on_commit_callbacks):
    user = staff(call.programme)
    laureate(call, user, first_time=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = programme_report_request(
            programme=call.programme, user=user, file_format="csv", language="en"
        )
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        content = handle.read().decode("utf-8-sig")
    assert content.splitlines()[0] == "Target,Goal,Actual,Status"
    assert "50 % primo-engagées,50,100,met" in content


def test_staff_request_it_and_a_viewer_may_not(call):
    url = reverse("programmes:report", args=[call.programme.pk])
    viewer = Client()
    viewer.force_login(staff(call.programme, role="viewer"))
    assert viewer.post(url, {"format": "pdf", "language": "fr"}).status_code == 403
    member = Client()
    member.force_login(staff(call.programme))
    assert member.post(url, {"format": "pdf", "language": "fr"}).status_code == 302
    assert Report.objects.filter(programme=call.programme).count() == 1


def test_the_quarter_reported_is_the_one_before():
    assert quarter_reported(datetime.date(2023, 4, 1)) == datetime.date(2023, 1, 1)
    assert quarter_reported(datetime.date(2023, 1, 1)) == datetime.date(2022, 10, 1)
    assert quarter_reported(datetime.date(2023, 12, 31)) == datetime.date(2023, 7, 1)


@pytest.mark.usefixtures("tasks_in_process")
def test_the_quarterly_run_records_each_running_programme_once(
    programme,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        assert programme_reports_quarterly(today=datetime.date(2023, 4, 1)) == 1
        assert programme_reports_quarterly(today=datetime.date(2023, 4, 1)) == 1
    report = Report.objects.get(programme=programme)
    assert report.scheduled_for == datetime.date(2023, 1, 1)
    assert report.status == Report.Status.DONE, report.error
    # After the programme's end, nothing.
    assert programme_reports_quarterly(today=datetime.date(2025, 7, 1)) == 0


@pytest.mark.usefixtures("tasks_in_process")
def test_reports_in_two_languages_are_told_apart_on_the_dashboard_and_by_name(
    call, django_capture_on_commit_callbacks
):
    """Walk 7, finding 9: two progress reports of the same day, one in Spanish and one in
    French, were listed alike ("PDF — 07/12/2026 03:28" twice) under one file name."""
    user = staff(call.programme)
    with django_capture_on_commit_callbacks(execute=True):
        spanish = programme_report_request(
            programme=call.programme, user=user, file_format="csv", language="es"
        )
        french = programme_report_request(
            programme=call.programme, user=user, file_format="csv", language="fr"
        )
    spanish.refresh_from_db()
    french.refresh_from_db()
    assert spanish.filename.endswith(".csv") and "-es-" in spanish.filename
    assert "-fr-" in french.filename and spanish.filename != french.filename
    client = Client()
    client.force_login(user)
    page = client.get(reverse("programmes:dashboard", args=[call.programme.pk]))
    listing = page.content.decode().split('data-testid="programme-reports"', 1)[1]
    listing = listing.split("</ul>", 1)[0]
    assert "CSV · Espagnol — " in listing and "CSV · Français — " in listing
