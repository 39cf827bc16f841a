"""Exports of the volunteer list as background jobs: recorded by the request, written by a
task, polled by the page, downloaded privately (and logged)."""

import csv
import datetime
import io
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency, DownloadRecord, Membership
from config import celery_app
from tests.factories import ExperienceFactory, MembershipFactory, ThemeFactory, VolunteerFactory
from volunteers import export_jobs, exporting
from volunteers.columns import COLUMNS, EXPORT_ONLY_COLUMNS
from volunteers.export_jobs import EXPORT_TASK
from volunteers.models import (
    LanguageSkill,
    Volunteer,
    VolunteerExport,
)

from .test_volunteer_import import submit


def exports_logged(export, **filters) -> int:
    """The downloads of ``export`` in the platform's log."""
    return DownloadRecord.objects.filter(
        kind="volunteer_export", object_id=export.pk, **filters
    ).count()


HOSTILE = ['=HYPERLINK("http://evil")', "+33 6 00", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def anvt(demo):
    return Agency.objects.get(acronym="ANVT")


@pytest.fixture
def request_export(client, django_capture_on_commit_callbacks):
    """``request_export(format, **filters)``: POST the list's export button with these
    filters (the task runs on commit), then the page the request redirects to."""

    def _request(file_format="csv", **filters):
        url = reverse("volunteers:export")
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{url}?{query}" if query else url, {"format": file_format})
        return client.get(response["Location"]) if response.status_code == 302 else response

    return _request


def last_export(user) -> VolunteerExport:
    return VolunteerExport.objects.filter(requested_by=user).latest("pk")


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM a French spreadsheet needs
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def download(client, export) -> bytes:
    response = client.get(reverse("volunteers:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def test_an_export_is_recorded_run_downloaded_by_its_requester_only_and_logged(
    request_export, client, login, anvt, tasks_in_process
):
    officer = login("anvt-officer")
    volunteer = VolunteerFactory(
        sending_agency=anvt, first_name="Essowè", last_name="N’Tcha-Ahlonsou", status="selected"
    )
    ExperienceFactory(volunteer=volunteer, organisation="Croix-Rouge togolaise")
    LanguageSkill.objects.create(volunteer=volunteer, language="ee", level="native")

    page = request_export("csv", q="Ahlonsou")
    export = last_export(officer)
    assert page.request["PATH_INFO"] == reverse("volunteers:export_detail", args=[export.pk])
    assert (export.status, export.filters, export.rows_written) == ("done", {"q": ["Ahlonsou"]}, 1)
    assert export.enqueued_at is not None and export.attempts == 1
    assert "1 volontaire exporté." in page.content.decode()
    assert export.filename.startswith("volontaires-") and export.filename.endswith(".csv")

    rows = csv_rows(download(client, export))
    assert rows[0][:4] == ["prénom", "nom", "sexe", "date_de_naissance"]
    assert rows[0][-3:] == [c.fr for c in EXPORT_ONLY_COLUMNS]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["prénom"], row["nom"], row["sexe"]) == ("Essowè", "N’Tcha-Ahlonsou", "F")
    assert row["date_de_naissance"] == volunteer.birth_date.strftime("%d/%m/%Y")
    assert (row["langues"], row["statut"], row["agence_d_envoi"]) == (
        "ee:native",
        "selected",
        "ANVT",
    )
    assert row["expérience_1_organisme"] == "Croix-Rouge togolaise"
    assert exports_logged(export, user=officer) == 1

    # Another agency's member, and a colleague of the same agency: the export is not theirs.
    for username in ["vase-officer", "anvt-manager"]:
        login(username)
        for name in ["volunteers:export_detail", "volunteers:export_download"]:
            assert client.get(reverse(name, args=[export.pk])).status_code == 404
    assert exports_logged(export) == 1


def test_the_xlsx_export_has_headers_typed_cells_and_accents(
    request_export, client, login, anvt, tasks_in_process
):
    officer = login("anvt-officer")
    VolunteerFactory(
        sending_agency=anvt,
        first_name="María José",
        last_name="Quishpe Guamán",
        birth_date=datetime.date(2002, 3, 1),
        notes=HOSTILE[0],
    )
    request_export("xlsx", q="Guamán")
    export = last_export(officer)
    assert export.status == "done" and export.filename.endswith(".xlsx")
    response = client.get(reverse("volunteers:export_download", args=[export.pk]))
    assert response["Content-Type"] == exporting.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.fr for c in COLUMNS + EXPORT_ONLY_COLUMNS]
    assert len(rows) == 2
    assert rows[1][:2] == ("María José", "Quishpe Guamán")
    assert rows[1][3] == datetime.datetime(2002, 3, 1)  # a date cell, not text
    assert rows[1][15] == "'" + HOSTILE[0]  # a formula is shown as text, never run


def test_the_export_neutralises_formulas_and_imports_again(
    request_export, client, login, anvt, tasks_in_process
):
    officer = login("anvt-officer")
    for i, text in enumerate(HOSTILE):
        VolunteerFactory(sending_agency=anvt, last_name=f"Zéphyrin-{'abcdef'[i]}", notes=text)
    request_export("csv", q="zéphyrin")
    content = download(client, last_export(officer))
    rows = csv_rows(content)
    assert sorted(r[15] for r in rows[1:]) == sorted("'" + t for t in HOSTILE)
    assert len(rows) == 1 + len(HOSTILE)

    request_export("xlsx", q="zéphyrin")
    workbook = load_workbook(io.BytesIO(download(client, last_export(officer))))
    cells = [row[15].value for row in workbook.worksheets[0].iter_rows(min_row=2)]
    # (XML turns a carriage return into a line feed: the cell still begins with the apostrophe)
    assert sorted(c.replace("\n", "\r") for c in cells) == sorted("'" + t for t in HOSTILE)
    assert all(row[15].data_type == "s" for row in workbook.worksheets[0].iter_rows(min_row=2))

    # The export is a valid import file: into another agency, the notes come back unchanged.
    cnpv = Agency.objects.get(acronym="CNPV")
    job, _ = submit(cnpv, content, name="export.csv")
    assert job.status == "done", job.errors
    imported = Volunteer.objects.filter(sending_agency=cnpv, last_name__startswith="Zéphyrin")
    assert sorted(imported.values_list("notes", flat=True)) == sorted(HOSTILE)


def test_the_export_follows_the_filters_and_the_rules(
    request_export, client, login, anvt, tasks_in_process
):
    officer = login("anvt-officer")
    request_export("csv", status="withdrawn", page="3")
    export = last_export(officer)
    assert export.filters == {"status": ["withdrawn"]}  # the page number is not a filter
    rows = csv_rows(download(client, export))
    expected = Volunteer.objects.filter(sending_agency=anvt, status="withdrawn").count()
    assert len(rows) - 1 == expected >= 1
    assert all(r[14] == "withdrawn" for r in rows[1:])
    assert {r[-3] for r in rows[1:]} == {"ANVT"}  # only the agencies the officer manages
    evaluator = login("anvt-evaluator")
    assert request_export().status_code == 403
    assert client.get(reverse("volunteers:export")).status_code == 405
    assert not VolunteerExport.objects.filter(requested_by=evaluator).exists()


def test_the_task_checks_the_requesters_role_again_when_it_runs(
    login, client, anvt, django_capture_on_commit_callbacks
):
    officer = login("anvt-officer")
    with django_capture_on_commit_callbacks(execute=False):
        export = export_jobs.volunteer_export_request(
            user=officer, file_format="csv", filters={}, language="fr"
        )
    # Between the request and the run, the officer became an evaluator.
    Membership.objects.filter(user=officer, agency=anvt).update(role="evaluator")
    assert export_jobs.volunteer_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and not export.file
    assert "ne permet plus" in export.message
    assert client.get(reverse("volunteers:export_download", args=[export.pk])).status_code == 404


def test_an_export_runs_once_even_if_the_task_is_delivered_twice(
    login, anvt, django_capture_on_commit_callbacks
):
    officer = login("anvt-officer")
    with django_capture_on_commit_callbacks(execute=False):
        export = export_jobs.volunteer_export_request(
            user=officer, file_format="csv", filters={}, language="fr"
        )
    assert export_jobs.volunteer_export_run(export_id=export.pk) is True
    assert export_jobs.volunteer_export_run(export_id=export.pk) is False
    export.refresh_from_db()
    expected = Volunteer.objects.filter(sending_agency=anvt).count()
    assert (export.status, export.attempts, export.rows_written) == ("done", 1, expected)


def test_rows_are_streamed_in_batches_with_progress(db):
    volunteers = VolunteerFactory.create_batch(7)
    for volunteer in volunteers[:3]:
        ExperienceFactory(volunteer=volunteer)
    # Its own volunteers only: a worker that ran a demo test before this one has the demo's.
    queryset = Volunteer.objects.filter(pk__in=[v.pk for v in volunteers]).order_by("pk")
    calls = []
    small = list(exporting.export_rows(queryset, "fr", batch=3, progress=calls.append, every=2))
    assert small == list(exporting.export_rows(queryset, "fr"))  # same rows, whatever the batch
    assert len(small) == 8 and calls == [2, 4, 6]
    assert [r[1] for r in small[1:]] == [v.last_name for v in volunteers]


def test_the_status_fragment_polls_while_the_export_waits(
    client, login, anvt, django_capture_on_commit_callbacks
):
    officer = login("anvt-officer")
    with django_capture_on_commit_callbacks(execute=False):
        export = export_jobs.volunteer_export_request(
            user=officer, file_format="csv", filters={}, language="fr"
        )
    VolunteerExport.objects.filter(pk=export.pk).update(
        status="running", total_rows=5000, rows_written=2000
    )
    url = reverse("volunteers:export_detail", args=[export.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    assert "2000 sur 5000" in fragment and 'aria-valuenow="40"' in fragment


# Transactional: the view must learn, before it answers, that the broker refused the task.
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_export_stays_queued_the_page_says_so_and_the_sweep_runs_it(
    request_export, client, login, demo, monkeypatch, dead_broker_task
):
    real_task = celery_app.tasks[EXPORT_TASK]
    dead = dead_broker_task(EXPORT_TASK)
    monkeypatch.setitem(celery_app.tasks, EXPORT_TASK, dead)
    officer = login("anvt-officer")
    page = request_export("xlsx")
    assert len(dead.publish_seconds) == 1 and dead.publish_seconds[0] < 3  # not 19 s, not forever
    export = last_export(officer)
    assert (export.status, export.enqueued_at) == ("queued", None)
    assert "La file des tâches est injoignable" in page.content.decode()
    detail = client.get(reverse("volunteers:export_detail", args=[export.pk])).content.decode()
    assert 'data-testid="export-broker-down"' in detail

    # The sweep while the broker is still down sends nothing and loses nothing.
    assert export_jobs.volunteer_exports_sweep(older_than=timedelta(0)) == 0
    export.refresh_from_db()
    assert export.status == "queued"

    # The broker is back (here: tasks in-process again); two sweeps, one file.
    monkeypatch.setitem(celery_app.tasks, EXPORT_TASK, real_task)
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    export_jobs.volunteer_exports_sweep(older_than=timedelta(0))
    export_jobs.volunteer_exports_sweep(older_than=timedelta(0))
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("done", 1)
    assert export.enqueued_at is not None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_an_export():
    from celery.contrib.testing.worker import start_worker

    from tests.factories import AgencyFactory, MembershipFactory

    agency = AgencyFactory()
    officer = MembershipFactory(agency=agency, role="officer").user
    VolunteerFactory.create_batch(3, sending_agency=agency)
    assert not celery_app.conf.task_always_eager
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        export = export_jobs.volunteer_export_request(
            user=officer, file_format="xlsx", filters={}, language="en"
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.is_finished:
                break
            time.sleep(0.2)
    assert export.status == "done", export.message
    assert export.rows_written == 3 and export.filename.startswith("volunteers-")


def test_a_search_too_short_is_left_out_of_the_export_as_out_of_the_list(
    request_export, client, login, anvt, tasks_in_process
):
    """The list says "ab" is too short and shows the register unsearched, the word still in
    its box: the export holds the same volunteers (an exploratory walk found 9 rows for 73)."""
    officer = login("anvt-officer")
    page = client.get(reverse("volunteers:index"), {"q": "ab", "status": "withdrawn"})
    shown = page.context["page"].paginator.count
    assert shown == Volunteer.objects.filter(sending_agency=anvt, status="withdrawn").count() >= 1
    assert 'value="ab"' in page.content.decode()
    request_export("csv", q="ab", status="withdrawn")
    assert len(csv_rows(download(client, last_export(officer)))) - 1 == shown


def test_an_export_with_a_filter_in_error_is_refused_and_the_list_shows_why(
    client, login, anvt, django_capture_on_commit_callbacks
):
    officer = login("anvt-officer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:export") + "?eligible_on=2026-02-31&status=withdrawn",
            {"format": "csv"},
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Corrigez les filtres avant d’exporter" in page or "Corrigez les filtres" in page
    assert 'value="2026-02-31"' in page
    assert not VolunteerExport.objects.filter(requested_by=officer).exists()


def test_an_export_of_several_agencies_is_logged_for_each_of_them(
    request_export, client, login, anvt, tasks_in_process
):
    """A member of several agencies exports the union of their registers, as their list shows
    it: the download goes to the log of every agency whose volunteers the file holds, not only
    to the one they act for (walk 6, #7)."""
    cnpv, vase = Agency.objects.get(acronym="CNPV"), Agency.objects.get(acronym="VASE")
    dual = login("anvt-officer")
    Membership.objects.create(user=dual, agency=cnpv, role="manager")
    Membership.objects.create(user=dual, agency=vase, role="partner")  # reads, exports nothing
    dual = login("anvt-officer")  # its memberships read again
    client.post(reverse("agencies:switch"), {"agency": anvt.pk})
    request_export("csv")
    export = last_export(dual)
    rows = csv_rows(download(client, export))
    assert {r[-3] for r in rows[1:]} == {"ANVT", "CNPV"}
    assert export.agency_ids == sorted([anvt.pk, cnpv.pk])
    assert export.total_rows == len(rows) - 1
    assert exports_logged(export, agency=anvt, user=dual) == 1
    assert exports_logged(export, agency=cnpv, user=dual) == 1
    assert exports_logged(export) == 2
    # CNPV's managers read it in their log.
    login("cnpv-manager")
    client.post(reverse("agencies:switch"), {"agency": cnpv.pk})
    log = client.get(reverse("agencies:download_log")).content.decode()
    assert export.filename in log and "anvt-officer" in log
    # Filtered to one agency's volunteers, the file goes to that agency's log only, even if
    # the member acts for another; a file of no row, to the acting agency's.
    login("anvt-officer")
    request_export("csv", sending_agency=cnpv.pk)
    only_cnpv = last_export(dual)
    download(client, only_cnpv)
    assert only_cnpv.agency_ids == [cnpv.pk]
    assert exports_logged(only_cnpv) == exports_logged(only_cnpv, agency=cnpv) == 1
    request_export("csv", q="Introuvable-Personne")
    empty = last_export(dual)
    download(client, empty)
    assert empty.agency_ids == []
    assert exports_logged(empty) == exports_logged(empty, agency=anvt) == 1


@pytest.mark.django_db
def test_the_export_page_gives_its_filters_as_the_list_names_them(client, tasks_in_process):
    """Walk 7, finding 8: "Filtres : q=a , status=returned , ordering=-birth_date"."""
    officer = MembershipFactory(role="officer").user
    theme = ThemeFactory()
    filters = {
        "q": ["a"],
        "status": ["returned"],
        "theme": [str(theme.pk)],
        "eligible_on": ["2027-01-15"],
        "ordering": ["-birth_date"],
    }
    export = export_jobs.volunteer_export_request(
        user=officer, file_format="csv", filters=filters, language="fr"
    )
    client.force_login(officer)
    url = reverse("volunteers:export_detail", args=[export.pk])

    def shown(language):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return page.split('data-testid="export-filters">')[1].split("</span>")[0]

    nbsp = "\u00a0"
    assert shown("fr") == (
        f"Rechercher{nbsp}: a · Statut{nbsp}: Revenu · Thème{nbsp}: {theme} · Éligible le{nbsp}:"
        f" 15/01/2027 · Trier par{nbsp}: Date de naissance (décroissant)"
    )
    assert shown("es") == (
        f"Buscar: a · Estado: Regresado · Tema: {theme} · Elegible el: 15/01/2027"
        " · Ordenar por: Fecha de nacimiento (descendente)"
    )
