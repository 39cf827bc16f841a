"""A manager creates an API token in the browser, the partner system uses it, the manager
revokes it (issue 21)."""

import datetime

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from tests.test_browser_csp import GATHER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_creates_uses_and_revokes_a_token(browser_login, live_demo):
    page = browser_login("anvt-manager")
    page.get_by_test_id("user-menu").click()  # the managers' pages are in the user menu
    page.get_by_role("link", name="Jetons d’API").click()
    page.get_by_label("Nom").fill("Registre de Kara")
    page.get_by_label("Agit en tant que").select_option("partner")
    expires = timezone.localdate() + datetime.timedelta(days=90)
    page.get_by_label("Expire le").fill(expires.isoformat())
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_test_id("token-secret").locator("code").inner_text().strip()
    assert secret.startswith("rcp_")
    row = page.get_by_test_id("tokens").get_by_role("row").filter(has_text="Registre de Kara")
    expect(row).to_contain_text("Partenaire")
    expect(row).to_contain_text("Jamais")

    url = f"{live_demo.url}/api/v1/volunteers/"
    answer = requests.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["results"]

    page.reload()  # the secret is shown once: not on the page any more
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    row = page.get_by_test_id("tokens").get_by_role("row").filter(has_text="Registre de Kara")
    expect(row).not_to_contain_text("Jamais")  # its last use is shown
    row.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_text("Jeton « Registre de Kara » révoqué.")).to_be_visible()
    answer = requests.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 401


def test_the_api_documentation_runs_under_the_csp(browser_page, live_demo):
    """The reference page, rendered on the server: no CDN, no violation, the schema's
    operations readable and linked from its contents."""
    page = browser_page
    page.add_init_script(GATHER)
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_demo.url) else None,
    )
    page.goto(f"{live_demo.url}/api/v1/docs/")
    expect(page.get_by_text("Reciprocity API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/volunteers/").first).to_be_visible()
    page.get_by_role("link", name="POST /api/v1/placements/", exact=True).click()
    expect(page.locator("#op-placements_create")).to_be_in_viewport()
    page.locator("#op-placements_create").get_by_role("link", name="NominateRequest").click()
    expect(page.locator("#schema-NominateRequest")).to_be_in_viewport()
    assert page.evaluate("window.__csp") == []
    assert external == []
