"""The main flow in a browser: ANVT's officer nominates a volunteer, CNPV's manager confirms."""

import datetime

import pytest
from playwright.sync_api import expect

from exchanges.models import Agreement
from missions.models import Mission
from missions.services import mission_create
from tests.factories import eligible_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sender_nominates_and_the_host_confirms(browser_login, live_demo):
    # The demo's 2017 places are used: the parties agreed on next year's cohort.
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

    page = browser_login("anvt-officer")
    page.get_by_role("link", name="Missions", exact=True).first.click()
    page.get_by_role("link", name=mission.title).click()
    page.get_by_role("link", name="Proposer des volontaires").click()
    page.get_by_label("Rechercher").fill("Tchalla")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_test_id("candidates").locator(f"tr[data-volunteer='{volunteer.pk}']")
    expect(row).to_contain_text("Éligible")
    row.get_by_role("button", name="Proposer").click()
    expect(page.get_by_text("l’agence d’accueil est invitée à confirmer")).to_be_visible()
    expect(page.get_by_test_id("placement")).to_contain_text("Proposé par l’agence d’envoi")

    page = browser_login("cnpv-manager")
    page.goto(f"{live_demo.url}/missions/inbox/")
    inbox = page.get_by_test_id("inbox")
    expect(inbox).to_contain_text(volunteer.full_name)
    inbox.get_by_role("row", name=volunteer.full_name).get_by_role(
        "button", name="Confirmer"
    ).click()
    expect(page.get_by_text(f"Proposition confirmée : {volunteer.full_name}.")).to_be_visible()
    expect(page.get_by_test_id("placement")).to_contain_text("Confirmé par l’agence d’accueil")
