"""Walk 7, finding 2: a quota report of some cohorts, or flagged at a chosen threshold, says so
in its CSV (the PDF's sentences at its head, and the threshold in its balance), on its page,
in its row of the reports list and in its file name."""

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency
from exchanges.quota_report import (
    Scope,
    build,
    build_quota_report,
    quota_report_request,
    render_csv,
)
from reports.models import Report
from tests.test_reports import queries_of

pytestmark = pytest.mark.django_db


def _lines(scope: Scope, language: str) -> list[str]:
    report = build_quota_report(scope=scope, title="Informe")
    return render_csv(report, language=language).decode("utf-8-sig").splitlines()


def _balance(lines: list[str]) -> list[str]:
    """The balance part: past the second blank line."""
    blanks = [i for i, line in enumerate(lines) if line == ""]
    return lines[blanks[1] + 1 :]


def test_the_csv_of_some_cohorts_at_a_chosen_threshold_says_so_at_its_head(demo):
    anvt = Agency.objects.get(acronym="ANVT")
    lines = _lines(Scope(agency_id=anvt.pk, first_year=2027, threshold=1), "es")
    assert lines[:4] == [
        "Informe",
        "Cohortes desde 2027.",
        "Un sentido se señala cuando va más de 1 voluntario por detrás del otro.",
        "",
    ]
    assert lines[4].startswith("Convenio;Cohorte;")
    lines = _lines(Scope(agency_id=anvt.pk, first_year=2015, last_year=2017, threshold=3), "fr")
    assert lines[1:3] == [
        "Promotions de 2015 à 2017.",
        "Un sens est signalé quand il compte plus de 3 volontaires de retard sur l’autre.",
    ]


def test_the_whole_csv_says_all_cohorts_and_each_agreements_threshold(demo):
    lines = _lines(Scope(), "fr")
    assert lines[1] == "Toutes les promotions."
    assert lines[2].startswith("Un sens est signalé lorsqu’il a plus de retard sur l’autre que")


def test_the_csv_balance_gives_the_threshold_as_the_pdf_does(demo):
    anvt = Agency.objects.get(acronym="ANVT")
    chosen = _balance(_lines(Scope(agency_id=anvt.pk, threshold=1), "es"))
    assert chosen[0] == "Agencia;Agencia socia;Enviados;Acogidos;Diferencia;Umbral;Señal"
    # ANVT sent 4 to CNPV and hosted 2 (2017): 2 behind, more than 1.
    assert "ANVT;CNPV;4;2;2;1;desequilibrio" in chosen
    # Each agreement's own (2 in the demo): not flagged.
    own = _balance(_lines(Scope(agency_id=anvt.pk), "es"))
    assert "ANVT;CNPV;4;2;2;2;" in own


def test_a_filtered_reports_file_name_says_its_cohorts_and_threshold(demo, login):
    user = login("anvt-manager")
    anvt = Agency.objects.get(acronym="ANVT")

    def name(language, **filters):
        report = quota_report_request(
            user=user, agency=anvt, file_format="csv", language=language, **filters
        )
        return build(Report.objects.get(pk=report.pk))[1]

    whole = name("es")
    assert whole.startswith("quotas-ANVT-2")
    assert name("es", first_year=2027, threshold=1).startswith(
        "quotas-ANVT-cohortes-desde-2027-umbral-1-"
    )
    assert name("fr", first_year=2015, last_year=2017).startswith(
        "quotas-ANVT-promotions-2015-2017-2"
    )
    assert name("en", last_year=2017).startswith("quotas-ANVT-cohorts-to-2017-2")


def test_the_reports_page_and_list_show_a_reports_cohorts_and_threshold(demo, login, client):
    user = login("anvt-manager")
    anvt = Agency.objects.get(acronym="ANVT")
    filtered = quota_report_request(
        user=user, agency=anvt, file_format="csv", language="es", first_year=2027, threshold=1
    )
    whole = quota_report_request(user=user, agency=anvt, file_format="csv", language="es")
    page = client.get(reverse("reports:detail", args=[filtered.pk])).content.decode()
    parameters = page.split('data-testid="report-parameters">', 1)[1].split("</dd>", 1)[0]
    assert parameters == (
        "Rapport des quotas — conventions de l’ANVT<br>Promotions à partir de 2027.<br>"
        "Un sens est signalé quand il compte plus de 1 volontaire de retard sur l’autre."
    )
    page = client.get(reverse("reports:detail", args=[whole.pk])).content.decode()
    assert "Toutes les promotions." in page

    listing = client.get(reverse("reports:index")).content.decode()
    rows = {
        pk: listing.split(f'href="{reverse("reports:detail", args=[pk])}"', 1)[1].split("</tr>")[0]
        for pk in (filtered.pk, whole.pk)
    }
    assert (
        "Promotions à partir de 2027. Un sens est signalé quand il compte plus de 1"
        in (rows[filtered.pk])
    )
    assert "report-parameters" not in rows[whole.pk]


def test_the_reports_list_reads_the_parameters_with_no_query_per_row(demo, login, client):
    user = login("anvt-manager")
    anvt = Agency.objects.get(acronym="ANVT")
    url = reverse("reports:index")

    def more():
        Report.objects.bulk_create(
            Report(kind=Report.Kind.QUOTA, agency=anvt, requested_by=user,
                   period_start=None if i % 2 else datetime.date(2027, 1, 1),
                   params={"threshold": i, "delimiter": ""})
            for i in range(5)
        )  # fmt: skip

    more()
    once = queries_of(client, url)
    more()
    assert queries_of(client, url) == once
