from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import DownloadRecord
from exchanges.models import Agreement
from reports.models import Report
from reports.services import RUN_REPORT, reports_sweep


@pytest.fixture
def request_report(client, django_capture_on_commit_callbacks):
    def _request(scope="agreement", **extra):
        agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
        data = {"scope": scope, "agreement": agreement.pk, "file_format": "csv",
                "language": "fr", "threshold": 2, "delimiter": ";", **extra}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("exchanges:quota_report"), data, follow=True)

    return _request


def test_a_partner_agency_produces_and_downloads_the_csv(
    client, login, demo, request_report, tasks_in_process
):
    user = login("cnpv-partner")
    response = request_report()
    report = Report.objects.get(kind="quota", requested_by=user)
    assert response.redirect_chain[-1][0] == reverse("reports:detail", args=[report.pk])
    assert report.status == "done"
    download = client.get(reverse("reports:download", args=[report.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "VIR-TG-ML-2017;2017;ANVT;CNPV;4;" in text
    record = DownloadRecord.objects.get(kind="report", object_id=report.pk)
    assert (record.user, record.agency.acronym, record.label) == (user, "CNPV", report.filename)


def test_a_refused_request_gives_the_form_back_as_it_was_typed(
    client, login, demo, request_report, tasks_in_process
):
    """Cohorts from 2030 to 2020: the error, and the form still on CSV, ";", 2030, 2020, 3."""
    login("anvt-manager")
    before = Report.objects.count()
    response = request_report(scope="agency", first_year=2030, last_year=2020, threshold=3)
    assert response.redirect_chain[-1][0].startswith(reverse("reports:index") + "?")
    form = response.content.decode().split('data-testid="quota-report-form"')[1].split("</form>")[0]
    assert '<option value="csv" selected>' in form and '<option value=";" selected>' in form
    for name, value in (("first_year", 2030), ("last_year", 2020), ("threshold", 3)):
        assert f'name="{name}" value="{value}"' in form
    assert Report.objects.count() == before


def test_an_outsider_cannot_produce_a_report_of_the_agreement(
    client, login, demo, request_report, tasks_in_process
):
    user = login("vase-officer")
    assert request_report().status_code == 404
    assert not Report.objects.filter(requested_by=user).exists()


def test_only_administrators_produce_the_report_of_all_agreements(
    client, login, demo, request_report, tasks_in_process
):
    login("anvt-manager")
    assert request_report(scope="all").status_code == 403
    admin = login("admin")
    request_report(scope="all")
    report = Report.objects.get(kind="quota", requested_by=admin)
    assert (report.agreement, report.agency, report.status) == (None, None, "done")


# Transactional: the view must learn, before it answers, that the broker refused the task.
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_answers_fast_stays_queued_and_the_sweep_runs_it_once(
    client, login, demo, monkeypatch, dead_broker_task, request_report
):
    from config import celery_app

    real_task = celery_app.tasks[RUN_REPORT]
    dead = dead_broker_task(RUN_REPORT)
    monkeypatch.setitem(celery_app.tasks, RUN_REPORT, dead)
    user = login("anvt-officer")
    response = request_report()
    assert len(dead.publish_seconds) == 1 and dead.publish_seconds[0] < 3  # not 19 s, not forever
    assert "sera produit dès son retour" in response.content.decode()
    report = Report.objects.get(kind="quota", requested_by=user)
    assert report.status == "queued"

    # The sweep while the broker is still down sends nothing and loses nothing.
    assert reports_sweep(older_than=timedelta(0)) == 0
    report.refresh_from_db()
    assert report.status == "queued"

    # The broker is back (here: tasks in-process again); two sweeps, one rendering.
    monkeypatch.setitem(celery_app.tasks, RUN_REPORT, real_task)
    from config import celery_app

    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    reports_sweep(older_than=timedelta(0))
    reports_sweep(older_than=timedelta(0))
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 1)


def test_report_requests_are_limited_per_user_and_minute(
    client, login, demo, request_report, settings
):
    settings.REPORT_REQUESTS_PER_MINUTE = 3
    user = login("cnpv-officer")
    for _ in range(3):
        request_report()
    response = request_report()
    assert response.redirect_chain[-1][0].startswith(reverse("reports:index"))
    assert "dans la dernière minute" in response.content.decode()
    assert Report.objects.filter(requested_by=user).count() == 3
    # Another user is not held back by this one's requests.
    login("anvt-officer")
    request_report()
    assert Report.objects.filter(kind="quota", requested_by__username="anvt-officer").exists()
    # A minute later the first user may request again.
    Report.objects.filter(requested_by=user).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    login("cnpv-officer")
    request_report()
    assert Report.objects.filter(requested_by=user).count() == 4


def test_a_threshold_of_no_volunteer_is_refused_as_an_agreement_s_is(
    client, login, demo, request_report, tasks_in_process
):
    login("anvt-manager")
    before = Report.objects.count()
    response = request_report(threshold=0)
    page = response.content.decode()
    # The message names its field (the form has two years and a threshold), and the inputs
    # hold the limits the server applies, so that the browser says so before sending.
    field = "Seuil de déséquilibre (volontaires) : "
    assert field + "Assurez-vous que cette valeur est supérieure ou égale à 1" in page
    assert Report.objects.count() == before
    form = page.split('data-testid="quota-report-form"')[1].split("</form>")[0]
    assert 'name="threshold" value="0" min="1" max="1000"' in form
    last = timezone.localdate().year + 30
    assert f'name="first_year" value="" min="1990" max="{last}"' in form
    response = request_report(first_year=1989)
    assert (
        f"Promotions depuis : Saisissez une année comprise entre 1990 et {last}"
        in response.content.decode()
    )
