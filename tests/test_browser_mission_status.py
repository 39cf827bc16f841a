"""The host cannot cancel a mission while a nomination waits on it: the form says why, and the
nomination is declined first."""

import pytest
from playwright.sync_api import expect

from missions.models import Mission, Placement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mission_with_a_pending_nomination_is_not_cancelled(browser_login, live_demo):
    placement = (
        Placement.objects.filter(status=Placement.Status.NOMINATED)
        .exclude(quota__receiving__acronym="VASE")  # its manager reads Spanish
        .order_by("pk")
        .first()
    )
    mission = placement.mission
    page = browser_login(f"{mission.quota.receiving.slug}-manager")
    page.goto(f"{live_demo.url}/missions/{mission.pk}/edit/")
    page.locator("#id_status").select_option(Mission.Status.CANCELLED)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Une affectation de cette mission est en cours")).to_be_visible()
    assert Mission.objects.get(pk=mission.pk).status == Mission.Status.OPEN
