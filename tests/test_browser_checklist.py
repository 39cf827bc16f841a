"""In a browser: ANVT's manager acknowledges an alert on the home page and finds it again under
"show acknowledged"; on the demo's checklist, the officer ticks an item, the departure is refused
while items are open, and the manager records it with a reason."""

import pytest
from playwright.sync_api import expect

from dashboard.models import AlertAcknowledgement
from devtools.demo_checklists import CHECKLIST_MISSION
from missions.models import ChecklistItem, DepartureOverride, Mission, Placement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_alert_is_acknowledged_on_the_home_page(browser_login, live_demo):
    page = browser_login("anvt-manager")
    panel = page.get_by_test_id("alerts")
    late = panel.locator("[data-testid=alert][data-kind=checklist_late]")
    expect(late).to_contain_text("Billet")
    late.get_by_role("button", name="Prendre en compte").click()
    expect(page.get_by_text("Alerte prise en compte.")).to_be_visible()
    # Back on the home page, whose alerts come after it.
    expect(page.get_by_test_id("alerts")).to_be_visible()
    expect(page.get_by_test_id("alerts-loading")).to_have_count(0)
    expect(page.locator("[data-testid=alert][data-kind=checklist_late]")).to_have_count(0)
    ack = AlertAcknowledgement.objects.get(kind="checklist_late")
    assert ack.user.username == "anvt-manager"
    page.get_by_test_id("show-acknowledged").click()
    shown = page.locator("[data-testid=acknowledged-alert][data-kind=checklist_late]")
    expect(shown).to_contain_text("Billet")
    expect(shown).to_contain_text("prise en compte par")


def test_the_checklist_holds_the_departure_until_a_manager_overrides(
    browser_login, live_demo, today_is
):
    mission = Mission.objects.get(title=CHECKLIST_MISSION)
    today_is(mission.start_date)  # a departure is recorded once it happened
    placement = Placement.objects.get(mission=mission)
    start = mission.start_date.isoformat()

    page = browser_login("anvt-officer")
    page.goto(f"{live_demo.url}{mission.get_absolute_url()}")
    checklist = page.get_by_test_id("checklist")
    ticket = checklist.locator("tr[data-kind=ticket]")
    expect(ticket).to_contain_text("en retard")
    ticket.get_by_label("Statut").select_option("done")
    ticket.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Billet : fait.")).to_be_visible()
    assert ChecklistItem.objects.get(placement=placement, kind="ticket").status == "done"

    page.get_by_label("Date de départ").first.fill(start)
    page.get_by_role("button", name="Enregistrer le départ", exact=True).click()
    expect(page.get_by_text("ne peut pas être enregistré")).to_be_visible()
    expect(page.get_by_text("Visite médicale et vaccinations").first).to_be_visible()
    assert Placement.objects.get(pk=placement.pk).status == "confirmed"
    expect(page.get_by_test_id("override-form")).to_have_count(0)  # officers do not override

    page = browser_login("anvt-manager")
    page.goto(f"{live_demo.url}{mission.get_absolute_url()}")
    form = page.get_by_test_id("override-form")
    form.get_by_label("Date de départ").fill(start)
    form.get_by_label("Raison du départ avec des éléments ouverts").fill(
        "Formation suivie à Quito à l’arrivée ; visite médicale faite la veille."
    )
    form.get_by_role("button", name="Enregistrer le départ malgré les éléments ouverts").click()
    expect(page.get_by_text("est enregistré")).to_be_visible()
    expect(page.get_by_test_id("departure-override")).to_contain_text("Formation suivie à Quito")
    assert Placement.objects.get(pk=placement.pk).status == "deployed"
    override = DepartureOverride.objects.get(placement=placement)
    assert override.user.username == "anvt-manager"
    assert set(override.open_items) == {"medical", "training"}
