import datetime

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agreement_is_drafted_submitted_and_approved_by_both_parties(browser_login, live_demo):
    year = datetime.date.today().year + 1
    page = browser_login("anvt-manager")
    page.get_by_role("link", name="Conventions", exact=True).first.click()
    page.get_by_role("link", name="Nouvelle convention").click()
    page.get_by_label("Référence").fill(f"vir-tg-ml-{year}")
    page.get_by_label("Intitulé").fill("Deuxième promotion Sud-Sud Togo–Mali")
    page.get_by_label("Agence partenaire").select_option(label="CNPV")
    page.get_by_label("Date de début").fill(f"{year}-10-01")
    page.get_by_label("Date de fin").fill(f"{year + 1}-09-30")
    page.get_by_label("Prévention et santé").check()
    page.get_by_label("Promotion (ligne 1)").fill(str(year))
    page.get_by_label("Places (ligne 1)").fill("4")
    page.get_by_label("Promotion (ligne 2)").fill(str(year))
    page.get_by_label("Places (ligne 2)").fill("2")
    page.get_by_role("button", name="Enregistrer").click()

    # expect() waits for the page that the click loads; is_visible() would not.
    expect(page.get_by_text(f"Convention VIR-TG-ML-{year} créée.")).to_be_visible()
    quotas = page.get_by_test_id("quotas")
    expect(quotas.get_by_role("row", name=f"{year} ANVT → CNPV 4")).to_be_visible()
    expect(quotas.get_by_role("row", name=f"{year} CNPV → ANVT 2")).to_be_visible()
    page.get_by_role("button", name="Soumettre à l’approbation").click()
    expect(page.get_by_test_id("state")).to_have_text("En attente d’approbation")
    page.get_by_role("button", name="Approuver la version 1 au nom de l’ANVT").click()
    expect(page.get_by_text("Votre approbation est enregistrée.")).to_be_visible()
    detail_url = page.url

    page = browser_login("cnpv-manager")
    page.goto(detail_url)
    approvals = page.get_by_test_id("approvals")
    expect(approvals).to_contain_text("ANVT : approuvée par ANVT ")
    expect(approvals).to_contain_text("CNPV : pas encore approuvée")
    page.get_by_role("button", name="Approuver la version 1 au nom de CNPV").click()
    expect(page.get_by_test_id("state")).to_have_text("Approuvée")
    expect(page.get_by_text("Cette version est approuvée par les deux parties.")).to_be_visible()


def test_a_lowered_imbalance_threshold_alerts_once_both_parties_approve_it(
    browser_login, live_demo
):
    """Togo–Mali: 4 sent, 2 hosted, within the default threshold (2); at 1 it alerts, once both
    parties have approved the amendment (until then 2 applies)."""
    page = browser_login("anvt-manager")
    page.goto(f"{live_demo.url}/")
    alerts = page.locator('[data-testid="alert"][data-kind="imbalance"]').filter(
        has_text="VIR-TG-ML-2017"
    )
    expect(page.get_by_test_id("alerts")).to_be_visible()  # loaded after the page
    expect(alerts).to_have_count(0)
    page.get_by_role("link", name="Conventions", exact=True).first.click()
    page.get_by_role("link", name="VIR-TG-ML-2017").first.click()
    threshold = page.get_by_test_id("imbalance-threshold")
    expect(threshold).to_have_text("signalé au-delà de 2 volontaires d’écart")
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_label("Seuil de déséquilibre (volontaires)").fill("0")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("Assurez-vous que cette valeur est supérieure ou égale à 1.")
    ).to_be_visible()
    page.get_by_label("Seuil de déséquilibre (volontaires)").fill("1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(threshold).to_contain_text("signalé au-delà de 1 volontaire d’écart")
    expect(page.get_by_test_id("imbalance-threshold-pending")).to_contain_text("2")
    page.get_by_role("button", name="Approuver la version 2 au nom de l’ANVT").click()
    expect(page.get_by_text("Votre approbation est enregistrée.")).to_be_visible()
    detail_url = page.url
    page.goto(f"{live_demo.url}/")
    expect(page.get_by_test_id("alerts")).to_be_visible()
    expect(alerts).to_have_count(0)  # CNPV has not approved yet

    page = browser_login("cnpv-manager")
    page.goto(detail_url)
    page.get_by_role("button", name="Approuver la version 2 au nom de CNPV").click()
    expect(page.get_by_test_id("imbalance-threshold-pending")).to_have_count(0)
    page.goto(f"{live_demo.url}/")
    alerts = page.locator('[data-testid="alert"][data-kind="imbalance"]').filter(
        has_text="VIR-TG-ML-2017"
    )
    expect(alerts).to_have_count(1)
    expect(alerts).to_contain_text("écart supérieur à 1")
