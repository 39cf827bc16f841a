"""In Chromium, under the Content-Security-Policy, no page meets a violation: every HTML page
of the access matrix that an agency manager opens (and the login page before), with htmx and
Bootstrap at work. A violation is reported twice: a ``securitypolicyviolation`` event, gathered
by a script that Playwright adds to every page (outside the policy), and a console error."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agencies.models import Agency, Membership
from tests.test_access_matrix import all_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GATHER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _html_pages(username):
    """The GET pages of the matrix that ``username`` (the "manager" persona) opens as HTML."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    pages = []
    for row in all_rows():
        if row.method != "get" or row.expect["manager"] != 200:
            continue
        path = row.path()
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(path)
    return sorted(set(pages))


def test_no_page_reports_a_csp_violation(browser_page, browser_login, live_demo):
    page = browser_page
    console = []
    page.on(
        "console",
        lambda msg: (
            console.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    page.add_init_script(GATHER)
    violations = []

    def visit(url):
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        violations.extend(f"{url}: {v}" for v in page.evaluate("window.__csp"))

    visit(f"{live_demo.url}/accounts/login/")
    browser_login("anvt-manager")
    pages = _html_pages("anvt-manager")
    assert len(pages) > 25
    for path in pages:
        visit(f"{live_demo.url}{path}")
    assert not violations, violations
    assert not console, console


def test_the_agency_switcher_submits_without_an_inline_handler(browser_login, live_demo):
    """The switcher's ``onchange`` became ``data-autosubmit`` (static/js/reciprocity.js)."""
    user = get_user_model().objects.get(username="anvt-manager")
    Membership.objects.create(user=user, agency=Agency.objects.get(acronym="CNPV"), role="officer")
    page = browser_login("anvt-manager")
    switcher = page.locator("#agency-switch")
    cnpv = switcher.locator("option", has_text="CNPV").get_attribute("value")
    assert switcher.input_value() != cnpv
    switcher.select_option(cnpv)
    page.wait_for_function(
        "value => document.querySelector('#agency-switch').value === value", arg=cnpv
    )
    assert page.locator("#agency-switch").input_value() == cnpv
