"""The volunteer's flow: open the personal link, answer, submit, download the certificate; the
verification page confirms it."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from agencies.models import DownloadRecord
from voice.links import link_issue
from voice.models import Questionnaire

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("tasks_in_process"),  # e-mails and the certificate, without a worker
]

SCORES = {"satisfaction": 5, "content": 4, "preparation": 3, "welcome": 5, "safety": 4}


def test_the_volunteer_answers_submits_downloads_and_the_certificate_verifies(
    browser_page, live_demo
):
    questionnaire = Questionnaire.objects.get(submitted_at__isnull=True)
    token = link_issue(questionnaire=questionnaire)
    page = browser_page
    page.goto(f"{live_demo.url}/q/{token}/")
    expect(page.get_by_role("heading", name="Questionnaire de fin de mission")).to_be_visible()

    # A draft first: the answers stay, the questionnaire stays open.
    page.locator("input[name=satisfaction][value='5']").check()
    page.get_by_label("Commentaires libres").fill("Une mission formidable à Bamako.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Vos réponses sont enregistrées")).to_be_visible()
    expect(page.locator("input[name=satisfaction][value='5']")).to_be_checked()

    for name, value in SCORES.items():
        page.locator(f"input[name={name}][value='{value}']").check()
    page.get_by_label("Compétences acquises").fill("Animation d’ateliers")
    page.get_by_label("Projets après la mission").select_option("job")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirmer").click()
    expect(page.get_by_test_id("submitted")).to_be_visible()
    expect(page.locator("input[name=satisfaction]")).to_have_count(0)  # read-only now

    # The certificate is rendered after the response: the page offers it once done.
    link = page.get_by_test_id("certificate-download")
    for _ in range(20):
        if link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), "rb") as handle:
        content = handle.read()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    volunteer = questionnaire.placement.volunteer
    assert "Attestation de fin de mission" in text and volunteer.last_name in text
    code = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", text).group(0)
    assert DownloadRecord.objects.filter(kind="certificate", user__isnull=True).count() == 1

    page.goto(f"{live_demo.url}/verify/{code}/")
    expect(page.get_by_test_id("verify-genuine")).to_contain_text("est authentique")
    expect(page.locator("main")).to_contain_text(volunteer.last_name)
