"""Browser smoke test: Playwright drives Debian's Chromium against the live server."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_logs_in_in_french_and_switches_to_english(live_server, browser_page, settings):
    from devtools.demo import load_demo

    settings.DEBUG = True
    load_demo()
    page = browser_page
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("input[name=username]", "anvt-officer")
    page.fill("input[name=password]", "reciprocity")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(
        page.get_by_role("heading", name="Agence Nationale du Volontariat au Togo")
    ).to_be_visible()
    expect(page.get_by_text("Votre rôle : Chargé de programme")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Your role: Officer")).to_be_visible()
