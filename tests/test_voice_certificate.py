"""The completion certificate: issued on submission, rendered by the reports' task, downloaded
by the volunteer through their link (and by the agencies), checked on the verification page."""

import io
import re

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string
from pypdf import PdfReader

from agencies.models import ANONYMOUS_DOWNLOADER, DownloadRecord
from core.errors import DomainError
from missions.services import placement_complete
from reports.models import Report
from tests.factories import MembershipFactory
from voice.certificates import (
    certificate_issue,
    certificate_revoke,
    certificates_issue_due,
    shown_code,
)
from voice.models import Certificate
from volunteers.services import ERASERS, volunteer_anonymise

from .voice_helpers import ANSWERS, completed_placement, send_and_get_token

# E-mails and the certificate's rendering run in-process, even with a broker configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _submitted(capture, client, **kwargs):
    placement = completed_placement(**kwargs)
    token = send_and_get_token(capture)
    with capture(execute=True):
        client.post(reverse("voice:answer", args=[token]), {**ANSWERS, "submit": "1"})
    return placement, token


def _text(response) -> str:
    content = b"".join(response.streaming_content)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_certificate_states_the_facts_and_its_code(django_capture_on_commit_callbacks, client):
    placement, token = _submitted(django_capture_on_commit_callbacks, client, first_name="Awa")
    certificate = Certificate.objects.get(placement=placement)
    assert certificate.report.status == Report.Status.DONE
    page = client.get(reverse("voice:answer", args=[token])).content.decode()
    assert reverse("voice:certificate", args=[token]) in page
    response = client.get(reverse("voice:certificate", args=[token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = re.sub(r"\s+", " ", _text(response))
    mission = placement.mission
    for fact in (
        "Attestation de fin de mission",
        placement.volunteer.full_name,
        placement.quota.sending.name,
        placement.quota.receiving.name,
        mission.title,
        mission.host_structure.name,
        str(mission.theme),
        "Animation d’ateliers",  # the skills declared
        shown_code(certificate.code),
        "Responsable",  # the signatory's role, translated
    ):
        assert fact in text, fact
    record = DownloadRecord.objects.get(kind=DownloadRecord.Kind.CERTIFICATE)
    assert (
        record.username == ANONYMOUS_DOWNLOADER and record.agency_id == placement.quota.sending_id
    )


def test_no_certificate_before_the_questionnaire_is_submitted(django_capture_on_commit_callbacks):
    placement = completed_placement()
    with pytest.raises(DomainError):
        certificate_issue(placement=placement)


def test_the_link_gives_its_own_certificate_only(django_capture_on_commit_callbacks, client):
    _submitted(django_capture_on_commit_callbacks, client)
    other = completed_placement(email="other@example.org")
    other_token = send_and_get_token(django_capture_on_commit_callbacks)
    assert other.questionnaire.links.exists()
    # The other volunteer has not submitted: their link has no certificate, whatever exists.
    assert client.get(reverse("voice:certificate", args=[other_token])).status_code == 404


def test_the_agencies_download_it_and_an_outsider_does_not(
    django_capture_on_commit_callbacks, client
):
    placement, _token = _submitted(django_capture_on_commit_callbacks, client)
    certificate = Certificate.objects.get(placement=placement)
    url = reverse("voice:certificate_download", args=[certificate.pk])
    for agency in (placement.quota.sending, placement.quota.receiving):
        client.force_login(MembershipFactory(agency=agency, role="partner").user)
        assert client.get(url).status_code == 200
    client.force_login(MembershipFactory(role="manager").user)
    assert client.get(url).status_code == 404


def test_verification_genuine_forged_and_revoked(django_capture_on_commit_callbacks, client):
    placement, _token = _submitted(django_capture_on_commit_callbacks, client)
    certificate = Certificate.objects.get(placement=placement)
    genuine = client.get(reverse("voice:verify", args=[shown_code(certificate.code)]))
    page = genuine.content.decode()
    assert genuine.status_code == 200 and "est authentique" in page
    assert placement.volunteer.full_name in page and placement.quota.sending.name in page
    # Essential facts only: no contact, no skills, no birth date, no structure.
    for secret in (
        placement.volunteer.email,
        "Animation d’ateliers",
        placement.mission.host_structure.name,
        placement.volunteer.birth_date.isoformat(),
    ):
        assert secret not in page
    # Lower case and without dashes: the same certificate.
    assert client.get(reverse("voice:verify", args=[certificate.code.lower()])).status_code == 200

    forged_code = ("0" if certificate.code[0] != "0" else "1") + certificate.code[1:]
    forged = client.get(reverse("voice:verify", args=[forged_code]))
    malformed = client.get(reverse("voice:verify", args=["not-a-code"]))
    assert forged.status_code == malformed.status_code == 404
    assert "Aucune attestation ne porte ce code" in forged.content.decode()
    assert placement.volunteer.full_name not in forged.content.decode()

    manager = placement.quota.sending.memberships.get(role="manager").user
    certificate_revoke(certificate=certificate, user=manager, reason="Fraude constatée")
    revoked = client.get(reverse("voice:verify", args=[certificate.code]))
    text = revoked.content.decode()
    assert revoked.status_code == 200 and "révoquée" in text
    assert placement.volunteer.full_name not in text and "Fraude" not in text
    # A revoked certificate is no longer served.
    client.force_login(manager)
    url = reverse("voice:certificate_download", args=[certificate.pk])
    assert client.get(url).status_code == 404


def test_only_a_sending_manager_revokes(django_capture_on_commit_callbacks, client):
    placement, _token = _submitted(django_capture_on_commit_callbacks, client)
    certificate = Certificate.objects.get(placement=placement)
    url = reverse("voice:certificate_revoke", args=[certificate.pk])
    client.force_login(MembershipFactory(agency=placement.quota.receiving, role="manager").user)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="manager").user)
    assert client.post(url, {"reason": ""}).status_code == 302
    certificate.refresh_from_db()
    assert not certificate.is_revoked  # no reason, no revocation
    client.post(url, {"reason": "Erreur de saisie"})
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_reason == "Erreur de saisie"


def test_guessing_codes_is_stopped(client, settings):
    settings.PUBLIC_MISSES_LIMIT = 2
    for code in ("AAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBB"):
        assert client.get(reverse("voice:verify", args=[code])).status_code == 404
    assert client.get(reverse("voice:verify", args=["CCCCCCCCCCCCCCCC"])).status_code == 429


def test_a_return_recorded_after_the_answers_gets_its_certificate_the_next_day(
    django_capture_on_commit_callbacks, client
):
    placement = completed_placement(complete=False)  # deployed, the mission long over
    token = send_and_get_token(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("voice:answer", args=[token]), {**ANSWERS, "submit": "1"})
    assert not Certificate.objects.exists()  # not completed: no certificate yet
    assert certificates_issue_due() == 0
    placement_complete(placement=placement, user=None, return_date=placement.mission.end_date)
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_issue_due() == 1
    assert certificates_issue_due() == 0
    assert Certificate.objects.get().report.status == Report.Status.DONE


def test_a_revoked_certificate_leaves_the_reports(django_capture_on_commit_callbacks, client):
    placement, _token = _submitted(django_capture_on_commit_callbacks, client)
    certificate = Certificate.objects.get(placement=placement)
    report = certificate.report
    manager = placement.quota.sending.memberships.get(role="manager").user
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate_revoke(certificate=certificate, user=manager, reason="Erreur")
    assert not Report.objects.filter(pk=report.pk).exists()
    # The file goes once the revocation is committed: a rolled-back one would keep it.
    assert report.file.storage.exists(report.file.name)
    for callback in callbacks:
        callback()
    assert not report.file.storage.exists(report.file.name)


def test_a_certificate_read_from_the_reports_is_logged_as_a_certificate(
    django_capture_on_commit_callbacks, client
):
    """The agencies' reports list (and the API's) hold the certificates' PDFs too: their
    downloads are logged as the certificates they are, not as reports."""
    from tests.test_api import api, token_for

    placement, _token = _submitted(django_capture_on_commit_callbacks, client)
    report = Certificate.objects.get(placement=placement).report
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="partner").user)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200
    _, secret = token_for(placement.quota.receiving)
    assert api(secret).get(reverse("api:report_download", args=[report.pk])).status_code == 200
    logged = DownloadRecord.objects.filter(object_id=report.pk).exclude(user=None)
    assert sorted(logged.values_list("kind", "agency_id")) == sorted(
        [
            (DownloadRecord.Kind.CERTIFICATE, placement.quota.sending_id),
            (DownloadRecord.Kind.CERTIFICATE, placement.quota.receiving_id),
        ]
    )


def test_an_anonymised_volunteer_is_named_neither_by_a_certificate_nor_by_the_log(
    django_capture_on_commit_callbacks, client
):
    """Right to erasure: the certificate's facts, its PDF and file name, the public
    verification page, the home page's latest reports and the log of downloads (the
    certificate read both ways, the personal data, a pre-departure document, a proof) stop
    naming the person once they are anonymised."""
    placement, _token = _submitted(
        django_capture_on_commit_callbacks, client, first_name="Akossiwa", last_name="Mensah"
    )
    volunteer = placement.volunteer
    certificate = Certificate.objects.get(placement=placement)
    old = certificate.report
    manager = placement.quota.sending.memberships.get(role="manager").user
    client.force_login(manager)
    for url in (
        reverse("voice:certificate_download", args=[certificate.pk]),
        reverse("reports:download", args=[old.pk]),
        reverse("volunteers:personal_data", args=[volunteer.pk]),
    ):
        assert client.get(url).status_code == 200
    item = placement.checklist_items.first()
    experience = volunteer.experiences.first()
    for kind, object_id in (
        (DownloadRecord.Kind.CHECKLIST_DOCUMENT, item.pk),
        (DownloadRecord.Kind.PROOF, experience.pk),
    ):  # as the download views label them (the views need a file)
        DownloadRecord.objects.create(
            kind=kind, object_id=object_id, label=f"{volunteer.full_name} — passeport.pdf",
            agency=placement.quota.sending, user=manager, username=manager.username,
        )  # fmt: skip
    assert DownloadRecord.objects.filter(label__contains="Mensah").count() == 5
    verify = reverse("voice:verify", args=[shown_code(certificate.code)])
    assert "Mensah" in client.get(verify).content.decode()
    asked = client.get(reverse("volunteers:anonymise", args=[volunteer.pk])).content.decode()
    assert "Effacé aussi : le nom dans les attestations de fin de mission" in asked

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_anonymise(volunteer=volunteer, user=manager)

    assert not DownloadRecord.objects.filter(label__contains="Mensah").exists()
    assert DownloadRecord.objects.count() == 5  # relabelled, not deleted
    certificate.refresh_from_db()
    assert certificate.facts["volunteer"] is None
    assert certificate.facts["skills"] == ""  # the volunteer's own words, from the questionnaire
    assert not Report.objects.filter(pk=old.pk).exists()
    assert not old.file.storage.exists(old.file.name)
    new = certificate.report
    assert new.status == Report.Status.DONE and "Mensah" not in new.filename
    page = client.get(verify).content.decode()
    assert "est authentique" in page and "Volontaire anonymisé" in page and "Mensah" not in page
    text = _text(client.get(reverse("voice:certificate_download", args=[certificate.pk])))
    assert "Volontaire anonymisé" in text and "Mensah" not in text and "Akossiwa" not in text
    assert "Animation d’ateliers" not in text and "Compétences déclarées" not in text
    assert "Mensah" not in client.get(reverse("home")).content.decode()
    log = client.get(reverse("agencies:download_log")).content.decode()
    assert "Mensah" not in log and "Volontaire anonymisé" in log


def test_every_eraser_of_the_anonymisation_is_a_function():
    for path in ERASERS:
        assert callable(import_string(path)), path


def test_an_early_return_is_attested_as_the_period_served_not_a_mission_accomplished(
    django_capture_on_commit_callbacks, client
):
    """A volunteer back early (here for their health) gets an attestation of the months they
    served, saying the mission ended early (not why), and the verification page says the same:
    not "has completed the mission"."""
    placement, token = _submitted(django_capture_on_commit_callbacks, client, early_return="health")
    certificate = Certificate.objects.get(placement=placement)
    assert certificate.facts["ended_early"] is True
    text = re.sub(r"\s+", " ", _text(client.get(reverse("voice:certificate", args=[token]))))
    mission = placement.mission
    assert "Attestation de service" in text and "a participé à la mission" in text
    assert "Attestation de fin de mission" not in text and "a accompli" not in text
    assert "a pris fin de manière anticipée" in text and "Santé" not in text
    assert f"{mission.end_date.year}" in text
    page = client.get(reverse("voice:verify", args=[certificate.code])).content.decode()
    assert "est authentique" in page and "fin anticipée" in page


def test_the_spanish_verification_page_names_the_volunteer_without_a_gender(
    django_capture_on_commit_callbacks, client
):
    """Walk 7, finding 5: "Voluntario Akossiwa Mensah"; the certificate itself avoids a
    gendered word, and so does the page now (French "Volontaire" is epicene)."""
    placement, _token = _submitted(
        django_capture_on_commit_callbacks, client, first_name="Akossiwa", last_name="Mensah"
    )
    verify = reverse("voice:verify", args=[shown_code(placement.certificate.code)])
    spanish = client.get(verify, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Persona voluntaria" in spanish and "Voluntari" not in spanish.replace(
        "Persona voluntaria", ""
    )
    french = client.get(verify, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Volontaire<" in french


def test_the_placement_page_writes_the_certificate_code_as_the_pdf_and_verify_page_do(
    django_capture_on_commit_callbacks, client
):
    """Walk 7, finding 6: the staff page showed "EE4962E72381BDC3", the PDF and /verify/
    "EE49-62E7-2381-BDC3"."""
    placement, _token = _submitted(django_capture_on_commit_callbacks, client)
    code = placement.certificate.code
    client.force_login(placement.quota.sending.memberships.get(role="manager").user)
    page = client.get(reverse("voice:placement", args=[placement.pk])).content.decode()
    assert f"<code>{shown_code(code)}</code>" in page and code not in page
    assert reverse("voice:verify", args=[shown_code(code)]) in page
