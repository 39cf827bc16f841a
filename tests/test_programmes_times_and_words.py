"""Programmes: the call's instants in its own time zone (public pages and admin), a time zone the
server knows, the state of a target after the programme's end and the schemes' rules in words
(found by the fifth exploratory walk: F3, F4, F6, F17, F18)."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from programmes import selectors
from programmes.models import Call, Scheme
from programmes.report import programme_report_request
from reports.models import Report
from tests import test_programmes
from tests.test_programmes import staff

# The fixtures of the programme's tests.
programme = test_programmes.programme
call = test_programmes.call

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def admin_form(call: Call, **changes) -> dict:
    """The call's admin form as a browser posts it (dates typed in ISO, always accepted)."""
    data = {
        "programme": call.programme_id,
        "title": call.title,
        "slug": call.slug,
        "opens_at_0": "2026-11-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2026-12-16",
        "closes_at_1": "23:59:00",
        "time_zone": call.time_zone,
        "selection_date": call.selection_date.isoformat(),
        "questions": call.questions,
    }
    data.update(changes)
    return data


# --- F17: a time zone the server knows ------------------------------------------------------


def test_the_model_refuses_an_unknown_time_zone(call):
    call.time_zone = "Europe/Pari"
    with pytest.raises(ValidationError) as refused:
        call.full_clean()
    assert "Fuseau horaire inconnu : Europe/Pari." in str(refused.value.message_dict["time_zone"])


def test_the_admin_refuses_an_unknown_time_zone_and_saves_nothing(admin_client, call):
    before = Call.objects.values().get(pk=call.pk)
    url = reverse("admin:programmes_call_change", args=[call.pk])
    response = admin_client.post(url, admin_form(call, time_zone="Mars/Olympus"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Fuseau horaire inconnu : Mars/Olympus." in str(errors["time_zone"])
    assert Call.objects.values().get(pk=call.pk) == before
    # Nor is a new call added with it.
    add = reverse("admin:programmes_call_add")
    response = admin_client.post(add, admin_form(call, slug="autre", time_zone="Mars/Olympus"))
    assert response.status_code == 200
    assert not Call.objects.filter(slug="autre").exists()


# --- F18: the admin types and shows the instants in the call's time zone --------------------


def test_the_admin_shows_the_instants_in_the_calls_time_zone(admin_client, call):
    call.opens_at = datetime.datetime(2022, 2, 14, 9, 0, tzinfo=UTC)
    call.closes_at = datetime.datetime(2022, 3, 30, 21, 59, tzinfo=UTC)  # 23:59 in Paris
    call.save()
    page = admin_client.get(reverse("admin:programmes_call_change", args=[call.pk]))
    form = page.context["adminform"].form
    assert form["closes_at"].value() == datetime.datetime(2022, 3, 30, 23, 59)
    content = page.content.decode()
    assert 'value="23:59:00"' in content
    assert "Saisie et affichée dans le fuseau horaire de l’appel" in content
    listing = admin_client.get(reverse("admin:programmes_call_changelist")).content.decode()
    assert "30/03/2022 23:59 (Europe/Paris)" in listing


@pytest.mark.parametrize(
    "zone, stored",
    [
        ("Europe/Paris", datetime.datetime(2026, 12, 16, 22, 59, tzinfo=UTC)),
        ("America/Guayaquil", datetime.datetime(2026, 12, 17, 4, 59, tzinfo=UTC)),
    ],
)
def test_the_admin_reads_the_typed_instants_in_the_calls_time_zone(
    admin_client, call, zone, stored
):
    url = reverse("admin:programmes_call_change", args=[call.pk])
    response = admin_client.post(url, admin_form(call, time_zone=zone))
    assert response.status_code == 302, response.context["adminform"].form.errors
    call.refresh_from_db()
    assert call.closes_at == stored
    assert call.opens_at == datetime.datetime(2026, 11, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo(zone))
    # The public form announces what was typed.
    page = Client().get(reverse("programmes:apply", args=[call.slug])).content.decode()
    assert "16 décembre 2026 23:59" in page


def test_the_admin_refuses_a_time_the_clock_change_skips(admin_client, call):
    before = Call.objects.values().get(pk=call.pk)
    url = reverse("admin:programmes_call_change", args=[call.pk])
    skipped = admin_form(call, closes_at_0="2027-03-28", closes_at_1="02:30:00")
    response = admin_client.post(url, skipped)
    assert response.status_code == 200
    assert "changement d’heure" in str(response.context["adminform"].form.errors["closes_at"])
    assert Call.objects.values().get(pk=call.pk) == before


# --- F4: the programme page shows the deadline in the call's zone ---------------------------


def test_the_programme_page_shows_the_deadline_in_the_calls_time_zone(call):
    call.opens_at = datetime.datetime(2022, 2, 14, 9, 0, tzinfo=UTC)
    call.closes_at = datetime.datetime(2022, 3, 30, 21, 59, tzinfo=UTC)
    call.save()
    client = Client()
    client.force_login(staff(call.programme))
    page = client.get(reverse("programmes:detail", args=[call.programme.pk])).content.decode()
    assert "Date limite : 30/03/2022 23:59 (Europe/Paris)." in page
    assert "21:59" not in page


# --- F3: a target not met is missed once the programme has ended ----------------------------


def dashboard(client, programme) -> str:
    return client.get(reverse("programmes:dashboard", args=[programme.pk])).content.decode()


def test_a_target_not_met_is_not_yet_met_while_the_programme_runs(call):
    programme = call.programme
    programme.end_date = datetime.date(2099, 12, 31)
    programme.save()
    client = Client()
    client.force_login(staff(programme, role="viewer"))
    page = dashboard(client, programme)
    assert 'data-testid="status-missions">pas encore<' in page
    assert "non atteint" not in page


def test_a_target_not_met_is_missed_after_the_programmes_end(call):
    programme = call.programme  # 2022 – 2024
    client = Client()
    client.force_login(staff(programme, role="viewer"))
    page = dashboard(client, programme)
    assert 'data-testid="status-missions">non atteint<' in page
    assert "pas encore" not in page
    # The day of the end still counts as running.
    on_the_end = selectors.programme_figures(programme, today=programme.end_date)
    assert {t.status for t in on_the_end.targets} == {"not_yet"}
    after = selectors.programme_figures(
        programme, today=programme.end_date + datetime.timedelta(days=1)
    )
    assert {t.status for t in after.targets} == {"missed"}
    with translation.override("es"):
        assert after.targets[0].status_label == "no alcanzado"


@pytest.mark.usefixtures("tasks_in_process")
def test_the_progress_report_says_missed_after_the_end(call, django_capture_on_commit_callbacks):
    user = staff(call.programme)
    with django_capture_on_commit_callbacks(execute=True):
        report = programme_report_request(
            programme=call.programme, user=user, file_format="pdf", language="fr"
        )
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "non atteint" in text
    assert "pas encore" not in text


@pytest.mark.usefixtures("tasks_in_process")
def test_both_csvs_say_missed_after_the_end_and_not_yet_while_it_runs(
    call, django_capture_on_commit_callbacks
):
    """The dashboard's CSV and the report's CSV state each target as the dashboard does."""
    programme = call.programme  # 2022 – 2024: ended
    client = Client()
    client.force_login(staff(programme, role="viewer"))
    url = reverse("programmes:dashboard_csv", args=[programme.pk])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Objectif", "Cible", "Réalisé", "Statut"]
    assert rows[1][3] == "non atteint"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        report = programme_report_request(
            programme=programme, user=staff(programme), file_format="csv", language="en"
        )
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    assert lines[0] == "Target,Goal,Actual,Status"
    assert lines[1].endswith(",missed")
    programme.end_date = datetime.date(2099, 12, 31)
    programme.save()
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][3] == "pas encore"


# --- F6: the schemes' rules in words -------------------------------------------------------


def test_the_dashboard_states_each_schemes_ages_and_experience(programme):
    Scheme.objects.create(
        programme=programme, code="vir", min_age=18, max_age=25, min_experience_days=730
    )
    client = Client()
    client.force_login(staff(programme, role="viewer"))
    page = client.get(reverse("programmes:dashboard", args=[programme.pk])).content.decode()
    assert "Service Civique : de 16 à 25 ans (30 en situation de handicap)</li>" in page
    assert "Volontariat de solidarité internationale (VSI) : à partir de 18 ans</li>" in page
    assert (
        "(VIR) : de 18 à 25 ans, avec au moins 730 jours d’expérience de volontariat "
        "(environ 24 mois)</li>"
    ) in page


def test_a_scheme_with_only_a_maximum_or_no_limit_says_so(programme):
    vsi = programme.schemes.get(code="vsi")
    vsi.min_age, vsi.max_age = 0, 30
    assert vsi.rules_text().endswith(" : jusqu’à 30 ans")
    vsi.max_age = None
    assert vsi.rules_text().endswith(" : sans limite d’âge")
    vsi.min_age = 18
    with translation.override("es"):
        assert vsi.rules_text().endswith(": desde los 18 años")
    with translation.override("en"):
        assert vsi.rules_text().endswith(": aged 18 and over")
