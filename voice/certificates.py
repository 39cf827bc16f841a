"""Completion certificates: issued when the questionnaire of a completed placement is submitted,
their facts frozen at issue, their PDF rendered by the reports' Celery task (a
``reports.Report`` of kind "certificate", claimed with a lease: ``core.jobs``), checked by anyone
on the public verification page by their code."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from agencies.models import DownloadRecord, Membership
from agencies.services import download_labels_erase
from core.errors import DomainError
from core.files import download_name
from missions.models import Placement
from reports.models import Report
from reports.pdf import render_pdf
from reports.services import report_request

from .models import Certificate, Questionnaire

CODE_BYTES = 8  # 16 hexadecimal characters: 64 bits, never guessed under the rate limit
CODE_PATTERN = re.compile(r"^[0-9A-F]{16}$")


def normalise_code(code: str) -> str | None:
    """``ab12-…`` as typed or printed → ``AB12…``; None if it cannot be a code."""
    compact = re.sub(r"[\s-]", "", code or "").upper()
    return compact if CODE_PATTERN.match(compact) else None


def shown_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _signatory(agency_id: int) -> tuple[str, str]:
    """The sending agency's signatory: its longest-standing active manager (name, role code)."""
    manager = (
        Membership.objects.filter(
            agency=agency_id, role=Membership.Role.MANAGER, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if manager is None:
        raise DomainError(_("The sending agency has no manager to sign the certificate."))
    return manager.user.get_full_name() or manager.user.get_username(), manager.role


def certificate_facts(placement: Placement, questionnaire: Questionnaire) -> dict:
    mission = placement.mission
    signatory, role = _signatory(placement.quota.sending_id)
    return {
        "volunteer": placement.volunteer.full_name,
        "sending": placement.quota.sending.name,
        "sending_acronym": placement.quota.sending.acronym,
        "host": placement.quota.receiving.name,
        "host_acronym": placement.quota.receiving.acronym,
        "mission": mission.title,
        "structure": mission.host_structure.name,
        "city": mission.city,
        "theme": str(mission.theme),
        "start": (placement.departure_date or mission.start_date).isoformat(),
        "end": (placement.return_date or mission.end_date).isoformat(),
        # An early return (its reason is not printed: it may be the volunteer's health): the
        # document attests the period served, not a mission accomplished.
        "ended_early": bool(placement.early_return_reason),
        "planned_end": mission.end_date.isoformat(),
        "skills": questionnaire.skills,
        "signatory": signatory,
        "signatory_role": role,
    }


@transaction.atomic
def certificate_issue(*, placement: Placement) -> Certificate:
    """The certificate of ``placement`` (the one already issued, if any), and its PDF queued."""
    placement = (
        Placement.objects.select_for_update(of=("self",))
        .select_related(
            "mission__host_structure",
            "mission__theme",
            "quota__sending",
            "quota__receiving",
            "volunteer",
        )
        .get(pk=placement.pk)
    )
    existing = Certificate.objects.filter(placement=placement).first()
    if existing is not None:
        return existing
    questionnaire = Questionnaire.objects.filter(
        placement=placement, submitted_at__isnull=False
    ).first()
    if placement.status != Placement.Status.COMPLETED or questionnaire is None:
        raise DomainError(
            _("A certificate is issued for a completed placement whose questionnaire is submitted.")
        )
    certificate = Certificate.objects.create(
        placement=placement,
        code=secrets.token_hex(CODE_BYTES).upper(),
        facts=certificate_facts(placement, questionnaire),
    )
    certificate.report = report_request(
        kind=Report.Kind.CERTIFICATE,
        language=questionnaire.language,
        agreement=placement.quota.agreement,
        agency=placement.quota.sending,
        params={"certificate": certificate.pk},
        rate_limited=False,
    )
    certificate.save(update_fields=["report"])
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, user, reason: str) -> Certificate:
    if not user.has_perm("vir.revoke_certificate", certificate.placement):
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(_("Give the reason for the revocation."), field="reason")
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason.strip()
    )
    if not updated:
        raise DomainError(_("This certificate is already revoked."))
    certificate.refresh_from_db()
    # Its PDF goes too: no longer downloadable from the reports either (the verification page
    # keeps saying it was revoked).
    report = Report.objects.filter(pk=certificate.report_id).first()
    if report is not None:
        if report.file:
            # Once the revocation is committed: a rolled-back one keeps its file.
            storage, name = report.file.storage, report.file.name
            transaction.on_commit(lambda: storage.delete(name))
        report.delete()
    return certificate


def certificates_issue_due() -> int:
    """Certificates of the placements completed after their questionnaire was submitted (a
    return recorded late): issued by the daily run."""
    due = Placement.objects.filter(
        status=Placement.Status.COMPLETED,
        questionnaire__submitted_at__isnull=False,
        certificate__isnull=True,
    ).order_by("pk")
    issued = 0
    for placement in due:
        try:
            certificate_issue(placement=placement)
        except DomainError:
            continue  # no manager to sign yet: tried again tomorrow
        issued += 1
    return issued


def certificate_by_code(code: str) -> Certificate | None:
    compact = normalise_code(code)
    if compact is None:
        return None
    return Certificate.objects.filter(code=compact).first()


def facts_shown(facts: dict) -> dict:
    """The frozen facts with their dates as dates and the role's label translated."""
    return {
        **facts,
        "start": parse_date(facts["start"]),
        "end": parse_date(facts["end"]),
        "planned_end": parse_date(facts.get("planned_end") or facts["end"]),
        "signatory_role": Membership.Role(facts["signatory_role"]).label,
        # None once the volunteer is anonymised (``certificates_anonymise``).
        "volunteer": facts["volunteer"] or _("Anonymised volunteer"),
    }


def render_certificate_html(certificate: Certificate, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "voice/certificate_pdf.html",
            {
                "certificate": certificate,
                "facts": facts_shown(certificate.facts),
                "code": shown_code(certificate.code),
                "verify_url": settings.SITE_URL.rstrip("/")
                + reverse("voice:verify", args=[shown_code(certificate.code)]),
            },
        )


def build(report) -> tuple[bytes, str]:
    """The builder of ``reports`` for kind "certificate": (PDF bytes, file name)."""
    certificate = Certificate.objects.get(pk=report.params["certificate"])
    pdf = render_pdf(render_certificate_html(certificate, report.language))
    return pdf, certificate_file_name(certificate)


def certificate_file_name(certificate: Certificate) -> str:
    """The PDF's name: the volunteer's name in it, none once they are anonymised."""
    name = certificate.facts["volunteer"]
    code = certificate.code[:4]
    return download_name(f"certificate-{name}-{code}.pdf" if name else f"certificate-{code}.pdf")


# The facts that are the volunteer's own: their name and their free text (every other fact is
# the mission's, the agencies' or the signatory's).
FACTS_ERASED = {"volunteer": None, "skills": ""}


def certificates_anonymise(*, volunteer) -> None:
    """The volunteer's name erased from their certificates (``volunteers.services.ERASERS``,
    inside the anonymisation's transaction): the frozen facts name no one and keep none of
    the volunteer's own words (the skills they declared in the questionnaire, erased there
    too by ``answers_anonymise``), the verification page says "anonymised volunteer", each PDF
    is rendered again without them (the old one deleted once the erasure is committed), and the
    log of downloads no longer names them."""
    certificates = Certificate.objects.filter(placement__volunteer=volunteer).select_related(
        "report", "placement__quota__agreement", "placement__quota__sending"
    )
    for certificate in certificates:
        old, named = certificate.report, certificate_file_name(certificate)
        certificate.facts = {**certificate.facts, **FACTS_ERASED}
        certificate.report = None
        if old is not None and not certificate.is_revoked:
            quota = certificate.placement.quota
            certificate.report = report_request(
                kind=Report.Kind.CERTIFICATE,
                language=old.language,
                agreement=quota.agreement,
                agency=quota.sending,
                params={"certificate": certificate.pk},
                rate_limited=False,
            )
        certificate.save(update_fields=["facts", "report"])
        # Its downloads were logged under the PDF's name, by the certificate's id or, read
        # from the reports, by the report's (``Report.download_kind``).
        download_labels_erase(
            kind=DownloadRecord.Kind.CERTIFICATE,
            object_ids=[certificate.pk, *([old.pk] if old else [])],
            was=named,
            label=certificate_file_name(certificate),
        )
        if old is not None:
            if old.file:
                storage, name = old.file.storage, old.file.name
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            old.delete()
