import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from agencies.models import Agency
from exchanges import quota_report
from exchanges.models import Agreement, Quota
from exchanges.quota_report import Scope, build_quota_report, render_csv, render_html
from exchanges.selectors import NO_PLACEMENTS, placement_counts, quota_figures
from reports.models import Report
from reports.pdf import render_pdf
from tests.factories import AgencyFactory, AgreementFactory, QuotaFactory


def _table(text: str) -> list[str]:
    """The CSV's lines past its head (the title, the cohorts and the threshold)."""
    lines = text.splitlines()
    return lines[lines.index("") + 1 :]


def _anvt_cnpv_report():
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    return build_quota_report(scope=Scope(agreement_id=agreement.pk), title=agreement.reference)


def test_the_csv_has_a_bom_and_the_agreed_places(demo):
    data = render_csv(_anvt_cnpv_report())
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    # French: ";" (core.csv.delimiter_for), what a French spreadsheet expects.
    assert _table(text)[0].startswith("Convention;Promotion;Agence d’envoi")
    # The counts' columns all plural, as columns of counts (not "Retiré" among them).
    assert "Proposés;Confirmés;Refusés;En mission;Terminés;Retirés;" in _table(text)[0]
    # As the seeds tell: 4 places / 4 completed Togo → Mali, 2 / 2 Mali → Togo (the pending
    # nomination for Togo is under next year's cohort).
    # (places, nominated, confirmed, declined, deployed, completed, withdrawn, remaining, rate)
    assert "VIR-TG-ML-2017;2017;ANVT;CNPV;4;0;0;0;0;4;0;0;100" in text
    assert "VIR-TG-ML-2017;2017;CNPV;ANVT;2;0;0;0;0;2;0;0;100" in text


def test_the_csv_takes_semicolons_and_english(demo):
    text = render_csv(_anvt_cnpv_report(), language="en", delimiter=";").decode("utf-8-sig")
    assert _table(text)[0].startswith("Agreement;Cohort;Sending agency")
    assert "VIR-TG-ML-2017;2017;ANVT;CNPV;4;0;0;0;0;4;0;0;100" in text


def test_the_pdf_shows_the_figures_as_text(demo):
    pdf = render_pdf(render_html(_anvt_cnpv_report()))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    # (the reference may wrap inside its cell: "VIR-TG- ML-2017")
    assert "ML-2017 2017 ANVT CNPV 4 0 0 0 0 4 0 0 100 %" in text
    assert "ML-2017 2017 CNPV ANVT 2 0 0 0 0 2 0 0 100 %" in text
    assert "Équilibre de la réciprocité" in text


def test_a_direction_running_behind_is_flagged(db):
    quota = QuotaFactory(places=10)
    report = build_quota_report(
        scope=Scope(agreement_id=quota.agreement_id, threshold=0), title="t"
    )
    balance = report.balances[0]
    assert (balance.sent, balance.hosted) == (0, 0)
    assert not report.flagged(balance)


def _queries_for(scope):
    with CaptureQueriesContext(connection) as ctx:
        build_quota_report(scope=scope, title="t")
    return len(ctx.captured_queries)


def test_the_report_issues_the_same_queries_for_1_and_200_agreements(db):
    agency = AgencyFactory()
    first = AgreementFactory(party_a=agency)
    QuotaFactory(agreement=first)
    one = _queries_for(Scope(agency_id=agency.pk))
    for _ in range(199):
        agreement = AgreementFactory(party_a=agency)
        QuotaFactory(agreement=agreement)
        QuotaFactory(agreement=agreement, sending=agreement.party_b, receiving=agency)
    assert _queries_for(Scope(agency_id=agency.pk)) == one == _queries_for(Scope()) == 1


def test_the_bulk_counts_agree_with_the_quota_figures(demo):
    # The report counts placements in one grouped pass; the pages count them per quota.
    quotas = Quota.objects.all()
    bulk = placement_counts(quotas=quotas)
    assert bulk == placement_counts(quotas=None)
    figures = list(quota_figures(quotas=quotas))
    assert any(q.used for q in figures)
    for q in figures:
        n = bulk.get(q.pk, NO_PLACEMENTS)
        assert (q.proposed, q.confirmed, q.declined, q.deployed, q.completed, q.withdrawn) == n
        assert q.used == n.used


def test_a_long_pdf_shows_the_first_rows_and_says_the_csv_has_them_all(demo, monkeypatch):
    monkeypatch.setattr(quota_report, "PDF_ROWS", 2)
    report = build_quota_report(scope=Scope(), title="t")
    assert len(report.rows) > 2
    html = render_html(report)
    # Sent, hosted, difference and threshold per pair of agencies.
    assert html.count('<td class="num">') == 2 * 9 + min(2, len(report.balances)) * 4
    assert f"Les 2 premières lignes sur {len(report.rows)}" in html
    assert len(render_csv(report).decode("utf-8-sig").splitlines()) > len(report.rows)


def test_names_that_a_spreadsheet_would_run_come_out_as_text(db):
    """CSV injection: a host agency, an agreement or a cohort named like a formula is written
    with a leading apostrophe; numbers, negative ones included, stay numbers."""
    sending = AgencyFactory(acronym="=cmd|' /C calc'!A0")
    receiving = AgencyFactory(acronym="@SUM(1+1)")
    agreement = AgreementFactory(reference="+VIR-1", party_a=sending, party_b=receiving)
    QuotaFactory(agreement=agreement, places=0, approved_places=0)
    report = build_quota_report(scope=Scope(agreement_id=agreement.pk), title="t")
    report.rows[0] = report.rows[0]._replace(remaining=-3)  # more used than agreed
    text = render_csv(report, delimiter=";").decode("utf-8-sig")
    line = _table(text)[1]
    assert line.startswith("'+VIR-1;2017;'=cmd|' /C calc'!A0;'@SUM(1+1);0;")
    assert ";-3;" in line
    balances = [row for row in text.splitlines() if row.startswith("'=cmd")]
    assert balances and all(row.startswith("'=cmd|' /C calc'!A0;'@SUM(1+1);") for row in balances)
    assert not any(
        cell.startswith(("=", "+", "@")) for row in text.splitlines() for cell in row.split(";")
    )


def test_the_one_csv_writer_neutralises_texts_only():
    from core.csv import csv_bytes

    data = csv_bytes([["=1+1", "\tx", "\rx", "-x", "ok", -5, 3.5, None]], delimiter=";")
    assert data.decode("utf-8-sig") == "'=1+1;'\tx;\"'\rx\";'-x;ok;-5;3.5;\r\n"


def test_the_pdf_title_with_an_ampersand_and_an_apostrophe_is_escaped_once(demo):
    """The title also runs in the page footer, written into the style sheet (``@bottom-left``):
    HTML-escaped there, it printed ``A&amp;B&#x27;s``."""
    agency = Agency.objects.get(acronym="ANVT")
    agency.acronym = "A&B's \"<T>"
    agency.save()
    report = Report(kind=Report.Kind.QUOTA, format="pdf", language="fr", agency=agency)
    content, _ = quota_report.build(report)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) >= 2  # the cover has no footer; the next pages do
    title = "Rapport des quotas — conventions de l’A&B's \"<T>"
    assert title in pages[0]
    assert all(title in page for page in pages[1:])
    text = "".join(pages)
    assert "&amp;" not in text and "&#x27;" not in text and "&quot;" not in text


def test_the_pdf_says_an_open_range_of_cohorts_and_dates_in_the_readers_language(demo):
    """ "Promotions à partir de 2017." rather than "Cohortes 2017 à ….", one word for a cohort
    throughout, and the date as the language writes it ("6 de diciembre de 2026")."""
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")

    def text(language, **years):
        report = build_quota_report(scope=Scope(agreement_id=agreement.pk, **years), title="T")
        pdf = render_pdf(render_html(report, language=language))
        return " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split()
        )

    french = text("fr", first_year=2017)
    assert "Promotions à partir de 2017." in french and "…" not in french
    assert "ohorte" not in french  # "promotion" throughout, as the table's column
    assert "Promotions jusqu’à 2020." in text("fr", last_year=2020)
    assert "Promotions de 2017 à 2020." in text("fr", first_year=2017, last_year=2020)
    spanish = text("es", first_year=2017)
    assert "Cohortes desde 2017." in spanish
    assert re.search(r"Generado el \d{1,2} de \w+ de \d{4}", spanish), spanish[:300]


def test_the_counts_headers_are_plural_in_every_language(client, login, demo):
    """The placement counts of a quota are plural headers, in context: the same English words
    are statuses elsewhere, singular in Spanish ("Desplegado", a volunteer's) (walk 6, #13)."""
    counts = slice(5, 12)
    with translation.override("es"):
        assert quota_report.column_labels()[counts] == [
            "Propuestos", "Confirmados", "Rechazados", "En misión", "Completados", "Retirados",
            "Restantes",
        ]  # fmt: skip
    with translation.override("fr"):
        assert quota_report.column_labels()[counts] == [
            "Proposés", "Confirmés", "Refusés", "En mission", "Terminés", "Retirés", "Restantes",
        ]  # fmt: skip
    login("vase-manager")  # works in Spanish
    agreement = Agreement.objects.get(reference="VIR-TG-EC-2017")
    page = client.get(reverse("exchanges:detail", args=[agreement.pk]))
    head = page.content.decode().split('data-testid="quotas"', 1)[1].split("</thead>", 1)[0]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", head)
    assert headers[4:8] == ["Propuestos", "Confirmados", "En misión", "Completados"], headers
