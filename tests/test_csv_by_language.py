"""One CSV rule for every CSV, by language (issue 18, point 6): French → ";", English → ",",
the choice offered in the quota-report form and the volunteer export."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from core.csv import csv_bytes, delimiter_for
from exchanges.models import Agreement
from reports.models import Report
from volunteers import exporting
from volunteers.models import VolunteerExport

pytestmark = pytest.mark.django_db


def test_the_rule_french_semicolon_english_comma_unless_chosen():
    assert delimiter_for("fr") == ";" and delimiter_for("fr-ca") == ";"
    assert delimiter_for("en") == "," and delimiter_for("es") == ";"
    assert delimiter_for("en", ";") == ";" and delimiter_for("fr", ",") == ","
    assert delimiter_for("fr", "|") == ";"  # only our two separators may be chosen
    with translation.override("fr"):
        assert csv_bytes([["a", "b"]]) == "\ufeffa;b\r\n".encode()
    with translation.override("en"):
        assert csv_bytes([["a", "b"]]) == "\ufeffa,b\r\n".encode()


def test_the_import_templates_follow_the_rule():
    assert exporting.template_file("csv", "fr").decode("utf-8-sig").startswith("prénom;nom;")
    assert exporting.template_file("csv", "en").decode("utf-8-sig").count(";") == 0
    assert exporting.template_file("csv", "es").decode("utf-8-sig").startswith("nombre;apellidos;")


def _quota_csv(client, django_capture_on_commit_callbacks, **data):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    data = {"scope": "agreement", "agreement": agreement.pk, "file_format": "csv",
            "threshold": 2, **data}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchanges:quota_report"), data)
    report = Report.objects.filter(kind="quota").latest("pk")
    download = client.get(reverse("reports:download", args=[report.pk]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    return lines[lines.index("") + 1]  # the header, past the lines saying the report's scope


def test_the_quota_report_follows_its_language_unless_a_separator_is_chosen(
    client, login, demo, tasks_in_process, django_capture_on_commit_callbacks
):
    login("anvt-manager")
    form = client.get(reverse("reports:index")).content.decode()
    assert 'name="delimiter"' in form and "Point-virgule « ; »" in form
    post = lambda **d: _quota_csv(client, django_capture_on_commit_callbacks, **d)  # noqa: E731
    assert post(language="fr", delimiter="").count(";") > 5
    assert post(language="en", delimiter="").count(";") == 0
    assert post(language="en", delimiter=";").count(";") > 5
    assert post(language="fr", delimiter=",").count(";") == 0


def test_the_volunteer_export_follows_the_language_unless_a_separator_is_chosen(
    client, login, demo, tasks_in_process, django_capture_on_commit_callbacks
):
    user = login("anvt-officer")
    page = client.get(reverse("volunteers:index")).content.decode()
    assert 'id="export-delimiter"' in page

    def export(delimiter, language="fr"):
        with translation.override(language), django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("volunteers:export"),
                {"format": "csv", "delimiter": delimiter},
                HTTP_ACCEPT_LANGUAGE=language,
            )
        job = VolunteerExport.objects.filter(requested_by=user).latest("pk")
        response = client.get(reverse("volunteers:export_download", args=[job.pk]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return job, next(csv.reader(io.StringIO(text), delimiter=delimiter or ";"))

    job, header = export("")
    assert (job.language, job.delimiter) == ("fr", "") and header[:2] == ["prénom", "nom"]
    job, header = export(",")
    assert job.delimiter == "," and header[:2] == ["prénom", "nom"]
