import pytest
from playwright.sync_api import expect

from reports.models import ReportDownload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_partner_agency_opens_reports_and_downloads_the_pilot_evaluation(
    browser_login, live_demo
):
    page = browser_login("cnpv-partner")
    page.get_by_role("link", name="Rapports", exact=True).first.click()
    row = page.get_by_role("row", name="Évaluation de l’expérience pilote")
    expect(row.get_by_test_id("report-status")).to_have_attribute("data-status", "done")
    with page.expect_download() as info:
        row.get_by_role("link", name="Télécharger").click()
    download = info.value
    assert download.suggested_filename == "evaluation-VIR-TG-ML-2017-2017-v1-fr.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert ReportDownload.objects.filter(user__username="cnpv-partner").count() == 1


def test_a_reader_asks_for_the_english_pdf_and_sees_it_done(browser_login, live_demo, monkeypatch):
    from config import celery_app

    # The task runs in the live server's process (a worker on Redis: test_report_worker).
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    page = browser_login("anvt-evaluator")
    page.get_by_role("link", name="Évaluations", exact=True).first.click()
    page.get_by_role("link", name="Évaluation de l’expérience pilote Togo–Mali 2017").click()
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Produire le PDF").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "done")
    expect(page.get_by_role("link", name="Télécharger")).to_be_visible()
