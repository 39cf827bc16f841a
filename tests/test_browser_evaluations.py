"""An evaluator corrects the published pilot evaluation: a new version, on the same agreement."""

import pytest
from playwright.sync_api import expect

from evaluations.models import Evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_evaluator_corrects_the_pilot_on_its_own_agreement(browser_login, live_demo):
    page = browser_login("anvt-evaluator")
    page.get_by_role("link", name="Évaluations", exact=True).first.click()
    page.get_by_role("link", name="Évaluation de l’expérience pilote Togo–Mali 2017").click()
    page.get_by_role("button", name="Corriger (nouvelle version)").click()
    # The draft of version 2: its agreement is the pilot's, shown and not editable.
    agreement = page.locator("#id_agreement")
    expect(agreement).to_be_disabled()
    expect(agreement.locator("option:checked")).to_have_text("VIR-TG-ML-2017")
    expect(page.get_by_text("Une correction évalue la convention de la version")).to_be_visible()
    page.locator("#id_title").fill("Évaluation de l’expérience pilote, corrigée")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Évaluation enregistrée.")).to_be_visible()
    draft = Evaluation.objects.get(version=2, previous__agreement__reference="VIR-TG-ML-2017")
    assert draft.title == "Évaluation de l’expérience pilote, corrigée"
    assert draft.agreement.reference == "VIR-TG-ML-2017"
