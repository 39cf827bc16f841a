import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_produces_the_quota_report_of_an_agreement(
    browser_login, live_demo, tasks_in_process
):
    page = browser_login("cnpv-partner")
    page.get_by_role("link", name="Conventions").first.click()
    page.get_by_role("link", name="VIR-TG-ML-2017").click()
    form = page.get_by_test_id("quota-report-form")
    form.get_by_label("Format").select_option("csv")
    form.get_by_role("button", name="Produire").click()
    expect(page.get_by_text("Rapport demandé.")).to_be_visible()
    status = page.get_by_test_id("report-status")
    expect(status).to_have_attribute("data-status", "done")
    with page.expect_download() as download:
        status.get_by_role("link", name="Télécharger").click()
    assert download.value.suggested_filename.startswith("quotas-VIR-TG-ML-2017")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "VIR-TG-ML-2017;2017;ANVT;CNPV;4;0;0;0;0;4;0;0;100" in text  # French: ";"
