"""The host review in a browser: VASE's manager opens the nominee from the inbox, reads the
reduced profile and its verdict, accepts with a note; ANVT (the sender) is told by e-mail."""

import pytest
from playwright.sync_api import expect

from agencies.models import Membership
from core.models import OutgoingEmail, UserPreference
from missions.models import Placement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINDO = "Conservación del bosque nublado en Mindo"


def test_the_host_manager_reviews_the_nominee_and_accepts(browser_login, live_demo):
    placement = Placement.objects.select_related("volunteer").get(
        mission__title=MINDO, status="nominated"
    )
    volunteer = placement.volunteer
    OutgoingEmail.objects.all().delete()
    # The texts below are French: this manager leaves the demo's Spanish preference.
    UserPreference.objects.filter(user__username="vase-manager").delete()

    page = browser_login("vase-manager")
    page.goto(f"{live_demo.url}/missions/inbox/")
    page.get_by_test_id("inbox").get_by_role("row", name=volunteer.full_name).get_by_role(
        "link", name="Examiner le profil"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(volunteer.full_name)
    profile = page.get_by_test_id("nominee-profile")
    expect(profile).to_contain_text("Âge au départ")
    expect(profile).to_contain_text(volunteer.nationality.name)
    expect(page.get_by_test_id("motivation")).to_contain_text("volontariat national")
    expect(page.get_by_test_id("nominee-eligibility")).to_contain_text("Éligible")
    expect(page.get_by_role("link", name="Justificatif")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(volunteer.email)

    decision = page.get_by_test_id("decision")
    decision.get_by_label("Note à l’agence d’envoi (facultative)").fill("Bienvenue à Mindo.")
    decision.get_by_role("button", name="Accepter la proposition").click()
    expect(page.get_by_text(f"Proposition confirmée : {volunteer.full_name}.")).to_be_visible()
    expect(page.get_by_test_id("placement")).to_contain_text("Confirmé par l’agence d’accueil")
    expect(page.get_by_test_id("placement")).to_contain_text("Note : Bienvenue à Mindo.")

    placement.refresh_from_db()
    assert placement.status == "confirmed"
    sender = set(
        Membership.objects.filter(agency=placement.quota.sending, role__in=["manager", "officer"])
        .exclude(user__email="")  # the demo's API token account has no address
        .values_list("user__email", flat=True)
    )
    emails = list(OutgoingEmail.objects.all())
    assert sorted(to for e in emails for to in e.to) == sorted(sender)
    assert all("Bienvenue à Mindo." in e.body for e in emails)
