"""The home page in a browser, per role: the administrator's network table, an officer's home
without the decision panels, a partner's manager shown the amendment awaiting its approval."""

import pytest
from playwright.sync_api import expect

from exchanges.models import Agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_fits_each_reader(browser_login, live_demo):
    page = browser_login("admin")
    table = page.get_by_test_id("network-table")
    expect(table).to_be_visible()
    row = table.get_by_role("row", name="ANVT ⇄ CNPV")
    expect(row).to_contain_text("4 / 2")  # the 2017 cohort: 4 Togolese sent, 2 Malians hosted
    expect(row).to_contain_text("+2")
    expect(page.get_by_test_id("exchange-chart")).to_have_count(0)

    page = browser_login("anvt-officer")
    expect(page.get_by_role("heading", name="Volontaires par statut")).to_be_visible()
    expect(page.get_by_test_id("exchange-chart")).to_be_visible()  # loaded after the page
    expect(page.get_by_test_id("panel-nominations")).to_have_count(0)
    expect(page.get_by_test_id("panel-approvals")).to_have_count(0)
    expect(page.get_by_test_id("network-table")).to_have_count(0)

    amended = Agreement.objects.get(reference="VIR-TG-EC-2017")
    page = browser_login("vase-manager")
    approvals = page.get_by_test_id("panel-approvals")
    expect(approvals).to_contain_text("enmienda")  # VASE's staff work in Spanish
    approvals.get_by_role("link", name="VIR-TG-EC-2017").click()
    expect(page).to_have_url(f"{live_demo.url}/agreements/{amended.pk}/")
