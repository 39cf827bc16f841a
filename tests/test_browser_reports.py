import pytest
from playwright.sync_api import expect

from agencies.models import DownloadRecord

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
    assert DownloadRecord.objects.filter(kind="report", username="cnpv-partner").count() == 1


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


def test_a_manager_downloads_a_report_then_finds_it_in_the_download_log(browser_login, live_demo):
    page = browser_login("anvt-manager")
    page.get_by_role("link", name="Rapports", exact=True).first.click()
    row = page.get_by_role("row", name="Évaluation de l’expérience pilote")
    with page.expect_download() as info:
        row.get_by_role("link", name="Télécharger").click()
    filename = info.value.suggested_filename
    page.get_by_test_id("user-menu").click()  # the log is in the user menu (issue 22: top bar)
    page.get_by_role("link", name="Journal des téléchargements").click()
    log = page.get_by_test_id("download-log")
    entry = log.get_by_role("row").filter(has_text=filename)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("anvt-manager")
    expect(entry).to_contain_text("Rapport")
    # Newest first: the download just made heads the list, above the demo's older ones.
    expect(log.locator("tbody tr").first).to_contain_text(filename)
    expect(log.locator("tbody tr").filter(has_text="Accord signé")).to_have_count(1)  # the demo's
    page.get_by_label("Type").select_option("report")
    page.get_by_role("button", name="Filtrer").click()
    expect(log.locator("tbody tr").filter(has_text="Accord signé")).to_have_count(0)
    expect(entry).to_have_count(1)


def test_a_partner_pages_past_the_counted_reports_to_the_oldest_one(
    browser_login, live_demo, monkeypatch
):
    """More reports than the count (1,000; 4 here): past the counted pages, "next" goes on from
    the last report shown, newest first, to the oldest, each report once."""
    from django.contrib.auth import get_user_model

    import reports.views
    from core.pagination import CappedPaginator
    from evaluations.models import Evaluation
    from reports.models import Report
    from reports.selectors import report_list

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(reports.views, "PAGE_SIZE", 2)
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    Report.objects.bulk_create(
        Report(kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement)
        for _ in range(7)
    )
    partner = get_user_model().objects.get(username="cnpv-partner")
    expected = [f"/reports/{pk}/" for pk in report_list(user=partner).values_list("pk", flat=True)]
    assert len(expected) > 8
    page = browser_login("cnpv-partner")
    links = page.locator("tbody tr td:first-child a")

    def follow(link):
        """Click ``link`` and wait for the page it opens (the rows read after are its)."""
        before = page.url
        link.click()
        page.wait_for_url(lambda url: url != before)

    follow(page.get_by_role("link", name="Rapports", exact=True).first)
    assert "Plus de 4 rapports." in page.get_by_test_id("result-count").inner_text()
    shown = [links.nth(i).get_attribute("href") for i in range(links.count())]
    follow(page.get_by_role("link", name="Suivant"))
    shown += [links.nth(i).get_attribute("href") for i in range(links.count())]
    follow(page.get_by_test_id("past-the-count"))
    while True:
        assert "au-delà des premières pages" in page.get_by_test_id("result-count").inner_text()
        shown += [links.nth(i).get_attribute("href") for i in range(links.count())]
        following = page.get_by_test_id("keyset-pages").get_by_role("link", name="Suivant")
        if not following.count():
            break
        follow(following)
    assert shown == expected
    follow(page.get_by_role("link", name="Première page"))
    assert "Plus de 4 rapports." in page.get_by_test_id("result-count").inner_text()
