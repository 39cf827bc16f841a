"""The platform administrator opens a mission in a browser: the agreement first (by its
reference), then one of its quotas, and the mission is created under it."""

import datetime

import pytest
from playwright.sync_api import expect

from missions.models import Mission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(select, text):
    select.select_option(label=select.locator("option", has_text=text).inner_text())


def test_the_administrator_picks_the_agreement_then_its_quota(browser_login, live_demo):
    year = datetime.date.today().year + 1
    page = browser_login("admin")
    page.goto(f"{live_demo.url}/missions/new/")
    expect(page.get_by_label("Quota")).to_have_count(0)
    page.get_by_label("Référence de la convention").fill("VIR-NOPE")
    page.get_by_role("button", name="Afficher ses quotas").click()
    expect(page.get_by_text("Aucune convention approuvée en vigueur")).to_be_visible()
    page.get_by_label("Référence de la convention").fill("vir-tg-ml-2017")
    page.get_by_role("button", name="Afficher ses quotas").click()
    quota = page.get_by_label("Quota")
    expect(quota).to_contain_text(f"VIR-TG-ML-2017 · {year} ANVT → CNPV")
    expect(quota.locator("option")).not_to_contain_text(["VIR-TG-EC-2017"])
    choose(quota, f"{year} ANVT → CNPV")
    choose(page.get_by_label("Structure d’accueil"), "Mairie de la Commune IV")
    page.get_by_label("Intitulé").fill("Appui aux bibliothèques de Bamako")
    choose(page.get_by_label("Thème"), "Prévention et santé")  # one of the agreement's
    page.get_by_label("Ville").fill("Bamako")
    page.get_by_label("Date de début").fill(f"{year}-03-01")
    page.get_by_label("Date de fin").fill(f"{year}-10-31")
    page.get_by_label("Places").fill("1")
    page.get_by_label("Statut").select_option("draft")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("Appui aux bibliothèques de Bamako")
    mission = Mission.objects.get(title="Appui aux bibliothèques de Bamako")
    assert (mission.quota.agreement.reference, mission.quota.cohort) == ("VIR-TG-ML-2017", year)
