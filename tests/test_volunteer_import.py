"""Import of volunteers from CSV and XLSX files, as background jobs; export and templates."""

import csv
import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from agencies.models import Agency
from config import celery_app
from core.history import reason_shown
from core.languages import language_set
from tests.factories import AgencyFactory, MembershipFactory, VolunteerFactory
from volunteers.columns import COLUMNS
from volunteers.models import (
    Experience,
    ExperienceSpan,
    LanguageSkill,
    Volunteer,
    VolunteerImport,
    VolunteerTally,
)
from volunteers.services import (
    experience_spans_refresh,
    volunteer_import_run,
    volunteer_import_submit,
)

FR = ["prénom", "nom", "sexe", "date_de_naissance", "nationalité", "courriel", "langues",
      "thèmes", "expérience_1_organisme", "expérience_1_début", "expérience_1_fin"]  # fmt: skip
EN = ["first_name", "last_name", "sex", "birth_date", "nationality", "email", "languages",
      "themes", "experience_1_organisation", "experience_1_start", "experience_1_end"]  # fmt: skip


def csv_file(header, rows, delimiter=";"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_row(n):
    return [f"Akossiwa-{chr(ord('A') + n % 26)}", f"Mensah d’Almeida {_letters(n)}", "F",
            f"{1 + n % 28:02d}/03/2002", "TG", f"ama{n}@example.org", "fr:natif, ee:natif",
            "Prévention et santé, health", "Croix-Rouge togolaise", "01/01/2021", ""]  # fmt: skip


def _letters(n):
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if not n:
            return out.capitalize()


@pytest.fixture
def eager():
    """Tasks run in-process even when a broker is configured (as on CI)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def anvt(demo):
    return Agency.objects.get(acronym="ANVT")


def submit(agency, data, name="volontaires.csv", user=None):
    job, created = volunteer_import_submit(
        agency=agency, user=user, data=data, file_name=name, language="fr"
    )
    volunteer_import_run(import_id=job.pk)
    job.refresh_from_db()
    return job, created


# --- Checking every row first ---------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_the_report_names_row_and_column(db, anvt):
    rows = [good_row(i) for i in range(5)]
    rows[2][3] = "31/02/2002"  # no 31 February: the 4th line of the file
    before = Volunteer.objects.count()
    job, _ = submit(anvt, csv_file(FR, rows))
    assert job.status == "failed"
    assert Volunteer.objects.count() == before
    assert job.errors_shown == [
        {"row": 4, "column": "date_de_naissance", "message": "Saisissez une date comme 31/12/2000."}
    ]
    assert job.error_count == 1 and job.created_count == 0


def test_every_wrong_cell_is_reported(db, anvt):
    rows = [good_row(i) for i in range(3)]
    rows[0][0] = "4ma"  # digits in a name
    rows[1][2] = "Z"  # no such sex
    rows[1][5] = "pas-une-adresse"
    rows[2][6] = "klingon:natif"
    rows[2][9], rows[2][10] = "01/01/2022", "01/01/2021"  # ends before it starts
    job, _ = submit(anvt, csv_file(FR, rows))
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {
        (2, "prénom"), (3, "sexe"), (3, "courriel"), (4, "langues"), (4, "expérience_1_fin"),
    }  # fmt: skip
    messages = " ".join(e["message"] for e in job.errors_shown)
    assert "ne peut pas figurer dans un nom" in messages
    assert "La fin ne peut pas précéder le début" in messages


def test_missing_and_unknown_columns_are_reported_on_the_first_row(db, anvt):
    job, _ = submit(anvt, csv_file(["prénom", "couleur"], [["Ama", "bleu"]]))
    assert job.status == "failed"
    assert {"row": 1, "column": "couleur", "message": "Colonne inconnue."} in job.errors_shown
    assert {e["column"] for e in job.errors_shown if "obligatoire" in e["message"]} >= {
        "nom", "date_de_naissance",
    }  # fmt: skip


# --- Good files -----------------------------------------------------------------------------


def test_a_french_csv_with_semicolons_and_french_dates_is_imported(db, anvt):
    user = MembershipFactory(agency=anvt).user
    job, _ = submit(anvt, csv_file(FR, [good_row(1)]), user=user)
    assert job.status == "done", job.message or job.errors
    volunteer = Volunteer.objects.get(email="ama1@example.org")
    assert volunteer.last_name == "Mensah d’Almeida B"
    assert volunteer.birth_date == datetime.date(2002, 3, 2)
    assert volunteer.sending_agency == anvt
    assert {s.language: s.level for s in volunteer.languages.all()} == {
        "fr": "native",
        "ee": "native",
    }
    assert [t.code for t in volunteer.themes.all()] == ["health"]
    experience = volunteer.experiences.get()
    assert (experience.start, experience.end) == (datetime.date(2021, 1, 1), None)
    assert (experience.organisation, experience.role) == ("Croix-Rouge togolaise", "")
    assert (experience.description, experience.proof.name, experience.proof_name) == ("", "", "")
    # The spans written with the volunteer are those the refresh computes from the periods.
    columns = ["start", "end", "days_before", "origin", "days_through"]
    written = list(volunteer.spans.values_list(*columns))
    experience_spans_refresh(volunteer_ids=[volunteer.pk])
    assert len(written) == 1 and written == list(volunteer.spans.values_list(*columns))
    record = volunteer.history.get()
    assert record.history_user == user
    assert record.history_change_reason == "@imported:volontaires.csv"
    assert reason_shown(record.history_change_reason) == "Importé depuis volontaires.csv"


def test_an_english_xlsx_with_date_cells_is_imported(db, anvt):
    row = ["María José", "Quishpe Guamán", "female", datetime.datetime(2001, 12, 31), "Ecuador",
           "mj@example.org", "es:native", "education", "Cruz Roja", datetime.date(2020, 5, 1),
           datetime.date(2023, 5, 1)]  # fmt: skip
    job, _ = submit(anvt, xlsx_file(EN, [row]), name="volunteers.xlsx")
    assert job.status == "done", job.errors
    volunteer = Volunteer.objects.get(email="mj@example.org")
    assert (volunteer.birth_date, volunteer.nationality.code) == (datetime.date(2001, 12, 31), "EC")
    assert volunteer.experiences.get().end == datetime.date(2023, 5, 1)


def test_duplicates_are_reported_not_doubled(db, anvt):
    VolunteerFactory(
        sending_agency=anvt,
        first_name="Kossi",
        last_name="Agbéko",
        birth_date=datetime.date(2001, 5, 4),
        email="deja@example.org",
    )
    rows = [
        ["KOSSI", "AGBÉKO", "M", "04/05/2001", "TG", "", "", "", "", "", ""],  # same person
        ["Yao", "Amouzou", "M", "01/01/2002", "TG", "DEJA@example.org", "", "", "", "", ""],
        ["Edem", "Lawson", "M", "01/01/2003", "TG", "edem@example.org", "", "", "", "", ""],
        ["Edem", "Lawson", "M", "01/01/2003", "TG", "", "", "", "", "", ""],  # same as row 4
    ]
    job, _ = submit(anvt, csv_file(FR, rows))
    assert job.status == "done", job.errors
    assert job.created_count == 1 and job.duplicate_count == 3
    assert [d["row"] for d in job.duplicates] == [2, 3, 5]
    assert "Même personne qu’à la ligne 4" in job.duplicates_shown[2]["message"]
    assert Volunteer.objects.filter(first_name="Edem", last_name="Lawson").count() == 1


def test_a_file_of_10000_rows_imports_completely_and_once_even_if_submitted_twice(db, anvt):
    data = csv_file(FR, [good_row(i) for i in range(10_000)])
    before = Volunteer.objects.count()
    job, created = submit(anvt, data, name="registre.csv")
    assert created and job.status == "done", job.errors[:3]
    assert job.created_count == 10_000
    assert (job.total_rows, job.checked_rows) == (10_000, 10_000)
    assert Volunteer.objects.count() == before + 10_000
    # The same file again: the same job, nothing run twice.
    again, created = submit(anvt, data, name="registre-copie.csv")
    assert not created and again.pk == job.pk
    # The same rows in another file (another checksum): all duplicates.
    other = csv_file(FR, [good_row(i) for i in range(10_000)], delimiter=",")
    third, created = submit(anvt, other, name="registre-virgules.csv")
    assert created and third.status == "done"
    assert (third.created_count, third.duplicate_count) == (0, 10_000)
    assert Volunteer.objects.count() == before + 10_000


def queries_of_import(agency, rows, name):
    job, _ = volunteer_import_submit(
        agency=agency, user=None, data=csv_file(FR, rows), file_name=name, language="fr"
    )
    with CaptureQueriesContext(connection) as ctx:
        volunteer_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.errors[:3]
    return len(ctx.captured_queries), job


def test_the_queries_of_an_import_do_not_grow_with_its_rows(db, anvt):
    """Checks, duplicates and writes go by the batch (1,000 rows), never by the row: a file
    of 40 rows takes as many queries as a file of 3, duplicates and errors included. (40: SQLite
    splits an insert at 999 parameters, 52 volunteers; PostgreSQL at the batch.)"""
    VolunteerFactory(sending_agency=anvt, email="ama0@example.org")  # row 2 is a duplicate
    few, job = queries_of_import(anvt, [good_row(i) for i in range(3)], "three.csv")
    assert (job.created_count, job.duplicate_count) == (2, 1)
    many, job = queries_of_import(anvt, [good_row(i) for i in range(100, 140)], "many.csv")
    assert job.created_count == 40
    assert many == few, (few, many)
    assert few <= 25
    # A file refused by its checks: one query more per row would show here too.
    bad = [[*good_row(i)[:3], "31/02/2002", *good_row(i)[4:]] for i in range(500, 540)]
    refused = VolunteerImport.objects.create(agency=anvt, file_name="bad.csv", checksum="b")
    refused.file.save("bad.csv", SimpleUploadedFile("bad.csv", csv_file(FR, bad)))
    with CaptureQueriesContext(connection) as ctx:
        volunteer_import_run(import_id=refused.pk)
    refused.refresh_from_db()
    assert refused.status == "failed" and refused.error_count == 40
    assert len(ctx.captured_queries) < few


def test_an_import_records_its_volunteers_history_and_counts(db, anvt):
    """The history rows written by the database (``core.history``) are those simple_history
    writes: every tracked field, "+", the uploader and the file; the tallies stay exact."""
    user = MembershipFactory(agency=anvt).user
    job, _ = submit(anvt, csv_file(FR, [good_row(i) for i in range(3)]), user=user)
    assert job.status == "done", job.errors
    created = Volunteer.objects.filter(email__in=[f"ama{i}@example.org" for i in range(3)])
    history = Volunteer.history.model
    tracked = [f.attname for f in history.tracked_fields]
    for volunteer in created:
        record = volunteer.history.get()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+", user, "@imported:volontaires.csv",
        )  # fmt: skip
        assert [getattr(record, a) for a in tracked] == [getattr(volunteer, a) for a in tracked]
        assert volunteer.experience_met_on == datetime.date(2023, 1, 1)  # 730 days from 2021
        assert volunteer.spans.count() == 1 and volunteer.languages.count() == 2
    counted = Volunteer.objects.filter(sending_agency=anvt, status="candidate").count()
    assert VolunteerTally.objects.get(agency=anvt, status="candidate").n == counted
    assert ExperienceSpan.objects.filter(volunteer__in=created).count() == 3


def test_a_long_file_name_is_cut_in_the_history_not_refused(db, anvt):
    """The history's reason holds 100 characters; the job keeps the whole name (255)."""
    name = "registre-" + "x" * 240 + ".csv"
    job, _ = submit(anvt, csv_file(FR, [good_row(1)]), name=name)
    assert job.status == "done", job.message
    record = Volunteer.objects.get(email="ama1@example.org").history.get()
    assert record.history_change_reason == f"@imported:{name}"[:100]


def test_an_insert_that_fails_late_leaves_nothing_imported(db, anvt, monkeypatch):
    """The volunteers (and their history, themes, languages) are inserted before their
    experiences: when that later insert fails, none of them stays, as the job then says."""

    import volunteers.services
    from core.bulk import insert_rows

    def fails(model, columns, rows):
        if model is Experience:  # the database refusing the experiences' rows
            raise IntegrityError("duplicate key value violates unique constraint")
        insert_rows(model, columns, rows)

    monkeypatch.setattr(volunteers.services, "insert_rows", fails)
    before = (
        Volunteer.objects.count(),
        Volunteer.history.count(),
        LanguageSkill.objects.count(),
        Volunteer.themes.through.objects.count(),
    )
    job, _ = submit(anvt, csv_file(FR, [good_row(i) for i in range(3)]))
    assert job.status == "failed" and job.created_count == 0
    assert "rien n’a été importé" in job.message
    assert not Volunteer.objects.filter(email__in=[f"ama{i}@example.org" for i in range(3)])
    after = (
        Volunteer.objects.count(),
        Volunteer.history.count(),
        LanguageSkill.objects.count(),
        Volunteer.themes.through.objects.count(),
    )
    assert after == before


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(db, anvt):
    job, _ = volunteer_import_submit(
        agency=anvt, user=None, data=csv_file(FR, [good_row(1)]), file_name="a.csv", language="fr"
    )
    volunteer_import_run(import_id=job.pk)
    volunteer_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 1
    assert Volunteer.objects.filter(email="ama1@example.org").count() == 1


def test_a_job_abandoned_by_a_dead_worker_is_taken_over_later(db, anvt):
    job, _ = volunteer_import_submit(
        agency=anvt, user=None, data=csv_file(FR, [good_row(1)]), file_name="a.csv", language="fr"
    )
    recent = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    VolunteerImport.objects.filter(pk=job.pk).update(status="running", started_at=recent)
    volunteer_import_run(import_id=job.pk)
    assert not Volunteer.objects.filter(email="ama1@example.org").exists()
    stale = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    VolunteerImport.objects.filter(pk=job.pk).update(started_at=stale)
    volunteer_import_run(import_id=job.pk)
    assert Volunteer.objects.filter(email="ama1@example.org").exists()


# --- Pages ----------------------------------------------------------------------------------


def test_an_officer_uploads_a_file_and_follows_the_job(
    client, login, anvt, eager, django_capture_on_commit_callbacks
):
    login("anvt-officer")
    upload = SimpleUploadedFile("volontaires.csv", csv_file(FR, [good_row(1), good_row(2)]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:import"), {"file": upload})
    job = VolunteerImport.objects.get(file_name="volontaires.csv")
    assert response.url == reverse("volunteers:import_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "2 volontaires importés." in page
    assert "hx-get" not in page  # finished: no more polling


def test_the_status_fragment_polls_while_the_job_waits(client, login, anvt):
    login("anvt-officer")
    job, _ = volunteer_import_submit(
        agency=anvt, user=None, data=csv_file(FR, [good_row(1)]), file_name="a.csv", language="fr"
    )
    url = reverse("volunteers:import_detail", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="import-status" data-status="queued"')
    assert 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment


def test_a_file_that_is_not_a_table_is_refused_at_once(client, login, anvt):
    login("anvt-officer")
    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    response = client.post(reverse("volunteers:import"), {"file": upload})
    assert response.status_code == 200
    assert "Envoyez un fichier CSV ou XLSX." in response.content.decode()
    assert not VolunteerImport.objects.filter(file_name="photo.csv").exists()


def test_readers_and_other_agencies_do_not_see_an_import(client, login, anvt):
    job = VolunteerImport.objects.filter(agency=anvt).first()
    url = reverse("volunteers:import_detail", args=[job.pk])
    login("anvt-partner")
    assert client.get(url).status_code == 403
    login("cnpv-officer")
    assert client.get(url).status_code == 404


# --- Templates and export -------------------------------------------------------------------


def test_the_templates_have_french_and_english_headers(client, login, anvt):
    login("anvt-officer")
    url = reverse("volunteers:import_template")
    french = client.get(url, {"format": "csv", "lang": "fr"}).content.decode("utf-8-sig")
    assert french.splitlines()[0].split(";")[:4] == ["prénom", "nom", "sexe", "date_de_naissance"]
    english = client.get(url, {"format": "xlsx", "lang": "en"})
    workbook = load_workbook(io.BytesIO(english.content))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header == [c.en for c in COLUMNS]
    assert workbook.worksheets[1]["A1"].value == "Column" or workbook.worksheets[1]["A1"].value


def test_a_filled_template_imports(db, anvt):
    header = [c.fr for c in COLUMNS]
    row = {c.fr: "" for c in COLUMNS}
    row.update(
        {
            "prénom": "Sélom",
            "nom": "Kpodar-Ékué",
            "sexe": "F",
            "date_de_naissance": "2003-02-01",
            "nationalité": "Togo",
            "diaspora": "oui",
            "pays": "France",
            "statut": "sélectionné",
            "niveau_d_études": "Licence",
        }
    )
    job, _ = submit(anvt, csv_file(header, [[row[h] for h in header]]))
    assert job.status == "done", job.errors
    volunteer = Volunteer.objects.get(last_name="Kpodar-Ékué")
    assert (volunteer.diaspora, volunteer.country.code, volunteer.status) == (
        True, "FR", "selected",
    )  # fmt: skip
    assert volunteer.education_level == "bachelor"


def test_the_spanish_template_is_in_spanish_and_a_filled_one_imports(client, login, anvt):
    login("anvt-officer")
    url = reverse("volunteers:import_template")
    response = client.get(url, {"format": "xlsx", "lang": "es"})
    assert "voluntarios-plantilla.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[:4] == ["nombre", "apellidos", "sexo", "fecha_de_nacimiento"]
    assert workbook.worksheets[1]["A1"].value == "Columna"
    csv_template = client.get(url, {"format": "csv", "lang": "es"}).content.decode("utf-8-sig")
    assert csv_template.startswith("nombre;apellidos;")  # Spanish spreadsheets: ";"
    row = dict.fromkeys(header, "")
    row.update(
        {
            "nombre": "Mayra",
            "apellidos": "Quishpe Tituaña",
            "sexo": "mujer",
            "fecha_de_nacimiento": "01/02/2003",
            "nacionalidad": "Ecuador",
            "diáspora": "no",
            "estado": "seleccionado",
            "nivel_de_estudios": "Licenciatura",
        }
    )
    job, _ = submit(anvt, csv_file(header, [[row[h] for h in header]]))
    assert job.status == "done", job.errors
    volunteer = Volunteer.objects.get(last_name="Quishpe Tituaña")
    assert (volunteer.sex, volunteer.nationality.code, volunteer.status) == (
        "female", "EC", "selected",
    )  # fmt: skip
    assert volunteer.education_level == "bachelor"


# --- A real worker --------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_an_import_job():
    from celery.contrib.testing.worker import start_worker

    from tests.factories import AgencyFactory

    agency = AgencyFactory()
    row = good_row(7)
    row[7] = ""  # no theme: this database is empty but for the agency
    assert not celery_app.conf.task_always_eager
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        job, _ = volunteer_import_submit(
            agency=agency, user=None, data=csv_file(FR, [row]), file_name="w.csv",
            language="fr",
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
    assert job.status == "done", job.message or job.errors
    assert Volunteer.objects.filter(sending_agency=agency).count() == 1


def test_a_name_whose_apostrophe_differs_is_the_same_person(db, anvt):
    VolunteerFactory(
        sending_agency=anvt, first_name="Essi", last_name="Zz’Tcha",
        birth_date=datetime.date(2001, 8, 21),
    )  # fmt: skip
    rows = [["ESSI", "ZZ'TCHA", "F", "21/08/2001", "TG", "", "", "", "", "", ""]]
    job, _ = submit(anvt, csv_file(FR, rows))
    assert job.status == "done", job.errors
    assert job.created_count == 0 and job.duplicate_count == 1
    assert (
        "Already" in job.duplicates_shown[0]["message"]
        or "Déjà" in job.duplicates_shown[0]["message"]
    )


def test_a_language_without_a_level_is_working_knowledge_as_the_template_says():
    from django.utils import translation

    from volunteers.exporting import template_help
    from volunteers.importing import language_item

    assert language_item("ee") == ("ee", "")  # stored as working knowledge (importing.py)
    with translation.override("fr"):
        help_rows = dict((row[0], row[1]) for row in template_help("fr")[1:])
    assert any("une langue sans niveau : bonne connaissance" in text for text in help_rows.values())


def test_a_volunteer_registered_between_the_check_and_the_write_fails_the_import_whole(
    db, anvt, monkeypatch
):
    """The database's unique e-mail refuses the row (COPY on PostgreSQL, its error raised as
    Django's): the job fails saying so, and none of the file's volunteers stays."""
    import volunteers.importing

    submit(anvt, csv_file(FR, [good_row(7)]))  # already registered
    monkeypatch.setattr(volunteers.importing, "find_duplicates", lambda agency, rows: {})
    job, _ = submit(anvt, csv_file(FR, [good_row(i) for i in range(5, 9)]))
    assert job.status == "failed" and job.created_count == 0
    assert "inscrits entre-temps" in job.message
    emails = [f"ama{i}@example.org" for i in range(5, 9)]
    assert list(Volunteer.objects.filter(email__in=emails).values_list("email", flat=True)) == [
        "ama7@example.org"
    ]


def test_an_import_report_is_read_in_the_readers_language_and_old_reports_as_stored(db, client):
    """Walk 7, finding 4: a report stored in French (the uploader's language) was shown in
    French to a Spanish reader. Its messages are stored as their sources with their parameters
    and translated when shown; a report stored before keeps its sentences."""
    agency = AgencyFactory()
    VolunteerFactory(sending_agency=agency, email="deja@example.org")
    header = [*FR, "diaspora"]
    bad = [
        ["Ama", "Lawson", "F", "31/02/2002", "TG", "ama@example.org", "", "", "", "", "", "oui"],
        ["Yao", "Agbo", "M", "01/01/2002", "TG", "a@@b", "", "", "", "", "", "peut-être"],
    ]
    failed, _created = submit(agency, csv_file(header, bad))
    same = ["Edem", "Lawson", "M", "01/01/2003", "TG", "", "", "", "", "", "", ""]
    duplicates = [
        ["Yao", "Amouzou", "M", "01/01/2002", "TG", "DEJA@example.org", *[""] * 6],
        same,
        same,
    ]
    done, _created = submit(agency, csv_file(header, duplicates), name="doublons.csv")
    assert (failed.status, done.status) == ("failed", "done")
    assert failed.message.startswith("Rien n’a été importé")  # the uploader’s, for the admin
    reader = MembershipFactory(agency=agency, role="manager").user
    language_set(user=reader, language="es")
    client.force_login(reader)

    def page(job):
        return client.get(reverse("volunteers:import_detail", args=[job.pk])).content.decode()

    spanish = page(failed)
    for text in (
        "No se ha importado nada",
        "Introduzca una fecha como 31/12/2000.",
        "Escriba sí o no.",
        "Introduzca una dirección de correo electrónico válida.",  # Django's own message
    ):
        assert text in spanish, text
    assert "Saisissez" not in spanish and "Écrivez" not in spanish and "Rien" not in spanish
    spanish = page(done)
    assert "Ya registrado (mismo correo electrónico)." in spanish
    assert "La misma persona que la fila 3." in spanish and "Même" not in spanish

    # A report stored before: its sentences, as they were written.
    VolunteerImport.objects.filter(pk=failed.pk).update(
        errors=[{"row": 2, "column": "date_de_naissance", "message": "Saisissez une date."}],
        message="Rien n’a été importé.",
        message_source={},
    )
    old = page(failed)
    assert "Saisissez une date." in old and "Rien n’a été importé." in old
