import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_adds_a_host_structure(browser_login, live_demo):
    page = browser_login("anvt-officer")
    page.get_by_role("link", name="Agences", exact=True).first.click()
    page.get_by_role("link", name="Structures d’accueil").click()
    page.get_by_role("link", name="Ajouter une structure d’accueil").click()
    page.get_by_label("Nom").fill("École primaire publique d’Agoè")
    page.get_by_label("Type").select_option("school")
    page.get_by_label("Ville").fill("Agoè")
    page.get_by_label("E-mail").fill("pas une adresse")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Saisissez une adresse e-mail valide")).to_be_visible()
    page.get_by_label("E-mail").fill("direction@epp-agoe.tg")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_role("heading", name="École primaire publique d’Agoè").is_visible()
    assert page.get_by_text(
        "Structure d’accueil « École primaire publique d’Agoè » créée."
    ).is_visible()
