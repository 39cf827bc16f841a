"""A manager produces a quota report as PDF: the page answers at once with the report queued,
polls it to done, and the reports list shows it with its format beside its size (issue 18,
point 4)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_produces_a_quota_pdf_and_finds_it_listed_with_its_format(
    browser_login, live_demo, tasks_in_process
):
    page = browser_login("anvt-manager")
    page.get_by_role("link", name="Rapports", exact=True).first.click()
    form = page.get_by_test_id("quota-report-form")
    expect(form.get_by_label("Format")).to_have_value("pdf")
    form.get_by_role("button", name="Produire").click()
    expect(page.get_by_text("Rapport demandé.")).to_be_visible()
    status = page.get_by_test_id("report-status")
    # One status, the row's: queued or running while it renders (after the answer), then done.
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    expect(status.get_by_role("link", name="Télécharger (PDF, ")).to_be_visible()
    with page.expect_download() as download:
        status.get_by_role("link", name="Télécharger").click()
    assert download.value.suggested_filename.startswith("quotas-ANVT-")
    assert download.value.suggested_filename.endswith(".pdf")

    page.get_by_role("link", name="Rapports", exact=True).first.click()
    newest = page.locator("tbody tr").first
    expect(newest.get_by_test_id("report-format")).to_have_text("PDF")
    expect(newest.get_by_role("link", name="Télécharger (PDF, ")).to_be_visible()
    csv_row = page.locator("tbody tr").filter(has=page.get_by_text("CSV", exact=True)).first
    expect(csv_row.get_by_role("link", name="Télécharger (CSV, ")).to_be_visible()
