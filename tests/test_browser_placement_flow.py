"""Issue 17's main flow in a browser, end to end on the demo: ANVT's officer nominates an
eligible volunteer to an open CNPV mission; CNPV's manager reads the reduced profile and its
verdict and accepts; the checklist appears, each side ticks its items; the departure and a
normal return at the mission's end are recorded; the placement is completed and its follow-ups
fall due from the real return date."""

import pytest
from playwright.sync_api import expect

from missions.checklist import ChecklistItem, DepartureOverride
from missions.models import FollowUp, Mission, Placement
from missions.placement_dates import add_months
from tests.factories import eligible_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAMAKO = "Volontariat et citoyenneté à Bamako"


def test_nomination_to_return_through_review_checklist_and_dates(
    browser_login, live_demo, today_is
):
    mission = Mission.objects.get(title=BAMAKO)
    today_is(mission.end_date)  # the departure and the return are recorded once they happened
    volunteer = eligible_volunteer(
        mission.quota.sending,
        on=mission.start_date,
        first_name="Akossiwa",
        last_name="Kossiwa-Flux",
    )
    url = f"{live_demo.url}{mission.get_absolute_url()}"

    # 1. The sender's officer nominates from the mission's nominate page.
    page = browser_login("anvt-officer")
    page.goto(url)
    expect(page.get_by_test_id("quota-places")).to_contain_text("places restantes")
    page.get_by_role("link", name="Proposer des volontaires").click()
    page.get_by_label("Rechercher").fill("Kossiwa-Flux")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_test_id("candidates").locator(f"tr[data-volunteer='{volunteer.pk}']")
    expect(row).to_contain_text("Éligible")
    row.get_by_role("button", name="Proposer").click()
    expect(page.get_by_text("l’agence d’accueil est invitée à confirmer")).to_be_visible()
    placement = Placement.objects.get(mission=mission, volunteer=volunteer)
    assert placement.status == "nominated"

    # 2. The host's manager opens the reduced profile from the inbox, reads it, accepts.
    page = browser_login("cnpv-manager")
    page.goto(f"{live_demo.url}/missions/inbox/")
    page.get_by_test_id("inbox").get_by_role("row", name=volunteer.full_name).get_by_role(
        "link", name="Examiner le profil"
    ).click()
    page.wait_for_url(f"{live_demo.url}/missions/placements/{placement.pk}/nominee/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(volunteer.full_name)
    expect(page.get_by_test_id("nominee-eligibility")).to_contain_text("Éligible")
    expect(page.locator("main")).not_to_contain_text(volunteer.email)
    page.get_by_test_id("decision").get_by_role("button", name="Accepter la proposition").click()
    expect(page.get_by_text(f"Proposition confirmée : {volunteer.full_name}.")).to_be_visible()
    placement.refresh_from_db()
    assert placement.status == "confirmed"

    # 3. The checklist appears on the mission page; the host ticks its (optional) welcome
    # contact, which it alone may update; the sender ticks the required items.
    page.goto(url)
    card = page.get_by_test_id("placement").filter(has_text=volunteer.full_name)
    checklist = card.get_by_test_id("checklist")
    expect(checklist.get_by_test_id("checklist-item")).to_have_count(7)
    expect(checklist).to_contain_text("6 éléments obligatoires ouverts")
    expect(checklist.locator("tr[data-kind=passport] form")).to_have_count(0)
    welcome = checklist.locator("tr[data-kind=welcome]")
    welcome.get_by_label("Statut").select_option("done")
    welcome.get_by_role("button", name="Enregistrer").click()
    expect(checklist.locator("tr[data-kind=welcome]")).to_have_attribute("data-status", "done")

    page = browser_login("anvt-officer")
    page.goto(url)
    card = page.get_by_test_id("placement").filter(has_text=volunteer.full_name)
    checklist = card.get_by_test_id("checklist")
    expect(checklist.locator("tr[data-kind=welcome] form")).to_have_count(0)
    required = ChecklistItem.objects.filter(placement=placement, required=True)
    kinds = list(required.values_list("kind", flat=True))
    assert set(kinds) == {"passport", "visa", "ticket", "medical", "insurance", "training"}
    for kind in kinds:
        item = checklist.locator(f"tr[data-kind={kind}]")
        item.get_by_label("Statut").select_option("done")
        item.get_by_role("button", name="Enregistrer").click()
        expect(checklist.locator(f"tr[data-kind={kind}]")).to_have_attribute("data-status", "done")
    expect(checklist).not_to_contain_text("obligatoire")
    expect(page.get_by_test_id("override-form")).to_have_count(0)
    assert not ChecklistItem.objects.filter(placement=placement, status="to_do").exists()

    # 4. The departure on the mission’s start, the return on its end: a normal return (the
    # messages elide "de" before the vowel of "Akossiwa").
    card.get_by_label("Date de départ").fill(mission.start_date.isoformat())
    card.get_by_role("button", name="Enregistrer le départ").click()
    expect(page.get_by_text(f"Le départ d’{volunteer} est enregistré.")).to_be_visible()
    expect(card).to_contain_text("En mission")
    card.get_by_label("Date de retour").fill(mission.end_date.isoformat())
    card.get_by_role("button", name="Enregistrer le retour").click()
    expect(page.get_by_text(f"Le retour d’{volunteer} est enregistré.")).to_be_visible()
    expect(card.get_by_test_id("early-return")).to_have_count(0)
    expect(card.get_by_test_id("follow-ups")).to_be_visible()

    # 5. Completed, with the follow-ups due 3, 6 and 12 months after the real return.
    placement.refresh_from_db()
    assert placement.status == "completed"
    assert placement.departure_date == mission.start_date
    assert placement.return_date == mission.end_date
    assert placement.early_return_reason == ""
    assert not DepartureOverride.objects.filter(placement=placement).exists()
    follow_ups = FollowUp.objects.filter(placement=placement)
    assert {(f.due_month, f.due_date) for f in follow_ups} == {
        (m, add_months(mission.end_date, m)) for m in (3, 6, 12)
    }
    volunteer.refresh_from_db()
    assert volunteer.status == "returned"
