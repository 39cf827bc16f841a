"""The main flow with the keyboard alone (issue 22, point 2): ANVT's officer logs in, goes to
the missions, opens one, nominates a volunteer; CNPV's manager logs in and confirms from the
inbox. Nothing is clicked: Tab moves the focus (each focused control must show it), Enter acts,
letters are typed into the focused field."""

import datetime

import pytest
from playwright.sync_api import expect

from exchanges.models import Agreement
from missions.models import Mission, Placement
from missions.services import mission_create
from tests.factories import eligible_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = 150  # Tab presses allowed to reach one control

FOCUS_SHOWN = """el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return outline || (s.boxShadow && s.boxShadow !== "none");
}"""


def tab_to(page, locator):
    """Presses Tab until ``locator`` has the focus; it must show it (outline or ring)."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            assert locator.evaluate(FOCUS_SHOWN), f"no visible focus on {locator}"
            return
    raise AssertionError(f"{locator} never got the focus after {TABS} Tab presses")


def log_in_with_keys(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    tab_to(page, page.locator("input[name=username]"))
    page.keyboard.type(username)
    tab_to(page, page.locator("input[name=password]"))
    page.keyboard.type("reciprocity")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def test_nominate_and_confirm_with_the_keyboard_alone(browser_page, live_demo):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    year = datetime.date.today().year + 1
    quota = agreement.quotas.get(cohort=year, sending=agreement.party_a)
    start = datetime.date(year, 3, 1)
    mission = mission_create(
        mission=Mission(
            quota=quota,
            host_structure=agreement.party_b.host_structures.get(name="Mairie de la Commune IV"),
            title="Appui à la jeunesse de Bamako",
            theme=agreement.themes.get(code="global-citizenship"),
            city="Bamako",
            start_date=start,
            end_date=datetime.date(year, 11, 30),
            places=1,
        ),
        user=None,
    )
    volunteer = eligible_volunteer(agreement.party_a, on=start, last_name="Tchalla-Ayéva")
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 800})

    log_in_with_keys(page, live_demo.url, "anvt-officer")
    tab_to(page, page.get_by_role("link", name="Missions", exact=True).first)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name=mission.title))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Proposer des volontaires"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Rechercher"))
    page.keyboard.type("Tchalla")
    page.keyboard.press("Enter")  # submits the filters
    row = page.get_by_test_id("candidates").locator(f"tr[data-volunteer='{volunteer.pk}']")
    expect(row).to_contain_text("Éligible")
    tab_to(page, row.get_by_role("button", name="Proposer"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("placement")).to_contain_text("Proposé par l’agence d’envoi")

    page.context.clear_cookies()
    log_in_with_keys(page, live_demo.url, "cnpv-manager")
    page.goto(f"{live_demo.url}/missions/inbox/")  # typed in the address bar
    inbox_row = page.get_by_test_id("inbox").get_by_role("row", name=volunteer.full_name)
    tab_to(page, inbox_row.get_by_role("button", name="Confirmer"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Proposition confirmée : {volunteer.full_name}.")).to_be_visible()
    assert Placement.objects.get(volunteer=volunteer, mission=mission).status == "confirmed"


def test_on_a_phone_the_filters_fold_behind_a_button_and_rows_stack(browser_login, live_demo):
    page = browser_login("anvt-officer")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_demo.url}/volunteers/")
    filters = page.get_by_role("search", name="Filtrer les volontaires")
    expect(filters).to_be_hidden()
    toggle = page.get_by_role("button", name="Filtres")
    toggle.click()
    expect(filters).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # Each row is a card of labelled lines: the header row is hidden, cells are blocks.
    cell = page.locator("table.table-phone-stack tbody tr").first.locator("td[data-label]").first
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") != "none"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(toggle).to_be_hidden()
    expect(filters).to_be_visible()
