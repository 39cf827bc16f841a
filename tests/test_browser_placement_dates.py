"""Departure and return in a browser (issue 17, point 4): a departure years before the mission
is refused on its field, then a good one is recorded; an early return without a reason is
refused, then recorded with its reason, which the page shows."""

import datetime

import pytest
from playwright.sync_api import expect

from core.texts import of
from exchanges.models import Agreement, Quota
from missions.models import Mission
from missions.services import mission_create, placement_confirm, placement_nominate
from tests.factories import checklist_done, eligible_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sender_records_a_departure_and_an_early_return(browser_login, live_demo, today_is):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    year = datetime.date.today().year + 1
    today_is(datetime.date(year, 4, 15))  # recorded once they happened: the return's day
    # The demo's next-year cohort (a mission starts in its cohort's year).
    quota = Quota.objects.get(agreement=agreement, cohort=year, sending=agreement.party_a)
    start = datetime.date(year, 3, 1)
    mission = mission_create(
        mission=Mission(
            quota=quota,
            host_structure=agreement.party_b.host_structures.get(name="Mairie de la Commune IV"),
            title="Appui aux maraîchers de Bamako",
            theme=agreement.themes.get(code="global-citizenship"),
            city="Bamako",
            start_date=start,
            end_date=datetime.date(year, 11, 30),
            places=2,
        ),
        user=None,
    )
    volunteer = eligible_volunteer(agreement.party_a, on=start, last_name="Akakpo-Dates")
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement_confirm(placement=placement, user=None)
    checklist_done(placement)  # the checklist has its own browser test

    page = browser_login("anvt-manager")
    page.goto(f"{live_demo.url}{mission.get_absolute_url()}")
    card = page.get_by_test_id("placement")
    card.get_by_label("Date de départ").fill("2020-01-01")
    card.get_by_role("button", name="Enregistrer le départ").click()
    expect(card).to_contain_text("Le départ ne peut pas être avant le")
    expect(card.get_by_label("Date de départ")).to_have_value("2020-01-01")
    card.get_by_label("Date de départ").fill(f"{year}-02-20")
    card.get_by_role("button", name="Enregistrer le départ").click()
    expect(page.get_by_text(f"Le départ {of(str(volunteer))} est enregistré.")).to_be_visible()
    expect(card).to_contain_text("En mission")

    card.get_by_label("Date de retour").fill(f"{year}-04-15")
    card.get_by_role("button", name="Enregistrer le retour").click()
    expect(card).to_contain_text("est anticipé")
    card.get_by_label("Date de retour").fill(f"{year}-04-15")
    card.get_by_label("Motif d’un retour anticipé").select_option("health")
    card.get_by_label("Précisions sur le retour anticipé").fill("Hospitalisation")
    card.get_by_role("button", name="Enregistrer le retour").click()
    expect(page.get_by_text(f"Le retour {of(str(volunteer))} est enregistré.")).to_be_visible()
    expect(card.get_by_test_id("early-return")).to_contain_text("Santé — Hospitalisation")
    # One place of two was used and ended early: the mission stays open for the other.
    expect(page.locator("h1")).to_contain_text("Ouverte")
