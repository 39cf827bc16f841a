"""Irreversible actions ask first (issue 18, point 8): the <dialog> of static/js/reciprocity.js
(no inline script: CSP). Cancel leaves everything as it was; Confirm sends the form."""

import pytest
from playwright.sync_api import expect

from exchanges.models import Agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_terminating_an_agreement_asks_for_confirmation_and_cancel_changes_nothing(
    browser_login, live_demo
):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    page = browser_login("anvt-manager")
    page.goto(f"{live_demo.url}{agreement.get_absolute_url()}")
    page.get_by_label("Motif de la résiliation").fill("Fin du programme")
    page.get_by_role("button", name="Résilier", exact=True).click()

    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Résilier la convention VIR-TG-ML-2017 ?")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    agreement.refresh_from_db()
    assert agreement.status != "terminated"

    page.get_by_role("button", name="Résilier", exact=True).click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Résilier").click()
    expect(page.get_by_test_id("state")).to_have_text("Résiliée")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.status_reason) == ("terminated", "Fin du programme")
