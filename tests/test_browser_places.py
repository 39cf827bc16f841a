"""Places left in a browser: ANVT's officer opens a mission with places left and nominates; a
mission under a full quota says "full" and offers no nomination."""

import datetime

import pytest
from playwright.sync_api import expect

from exchanges.models import Agreement
from missions.models import Mission
from tests.factories import eligible_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_nominates_where_places_are_left_and_sees_full_elsewhere(browser_login):
    mission = Mission.objects.get(title="Volontariat et citoyenneté à Bamako")
    year = datetime.date.today().year + 1
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date, last_name="Adjo")

    page = browser_login("anvt-officer")
    page.get_by_role("link", name="Missions", exact=True).first.click()
    page.get_by_role("link", name=mission.title).click()
    places = page.get_by_test_id("quota-places")
    expect(places).to_contain_text(f"Promotion {year} ANVT → CNPV")
    expect(places).to_contain_text("0 / 4 places confirmées")
    expect(places).to_contain_text("4 places restantes")
    page.get_by_role("link", name="Proposer des volontaires").click()
    expect(page.get_by_test_id("quota-places")).to_contain_text("4 places restantes")
    page.get_by_label("Rechercher").fill("Adjo")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_test_id("candidates").locator(f"tr[data-volunteer='{volunteer.pk}']")
    row.get_by_role("button", name="Proposer").click()
    expect(page.get_by_text("l’agence d’accueil est invitée à confirmer")).to_be_visible()
    expect(page.get_by_test_id("placement")).to_contain_text(volunteer.full_name)

    # The 2017 cohort is full: a mission under it (a draft opened by an admin, say) says so.
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    full = Mission.objects.create(
        quota=agreement.quotas.get(cohort=2017, sending=agreement.party_a),
        host_structure=mission.host_structure,
        title="Mission de la promotion 2017",
        theme=mission.theme,
        city="Bamako",
        start_date=datetime.date(2017, 11, 2),
        end_date=datetime.date(2018, 8, 31),
        places=1,
    )
    page.goto(f"{page.url.split('/missions/')[0]}/missions/{full.pk}/")
    places = page.get_by_test_id("quota-places")
    expect(places).to_contain_text("4 / 4 places confirmées")
    expect(places).to_contain_text("complet")
    expect(places).to_contain_text("il n’y a pas de liste d’attente")
    expect(page.get_by_role("link", name="Proposer des volontaires")).to_have_count(0)
