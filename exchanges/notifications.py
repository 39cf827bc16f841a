"""E-mails to the partner's managers about an agreement.

Messages are built inside the transaction (from the data being committed), recorded in the
outbox with it and sent by a task once it has committed (``core.mail``): a rolled-back approval
never announces itself, and a mail server down never slows the page. One message per recipient,
so that nobody sees the others' addresses. Each recipient reads it in the language
of their account (``core.languages``), French by default.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from agencies import rules as access
from core.mail import queue_emails

from .models import ApprovalRequest


def _recipient_agencies(agreement, by_agency) -> list:
    """The partner of the acting party; both parties when nobody acted for one (an admin)."""
    if by_agency is None or by_agency.pk not in agreement.party_ids:
        return list(agreement.parties)
    return [agreement.partner_of(by_agency.pk)]


def _notify(agreement, agencies, compose, base_url: str) -> None:
    """``compose()`` returns the subject and body: called once per recipients' language, under
    that language."""
    # The request's address when a view sends it, else the configured SITE_URL (scripts, admin).
    link = (base_url or settings.SITE_URL).rstrip("/") + agreement.get_absolute_url()
    messages = []
    recipients = access.notified_recipients([a.pk for a in agencies], access.NOTIFY_AGREEMENTS)
    for language, emails in recipients.items():
        with translation.override(language):
            subject, body = compose()
        messages += [EmailMessage(subject, f"{body}\n\n{link}\n", to=[e]) for e in emails]
    queue_emails(messages)


def _context(agreement, by_agency) -> dict:
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "agency": by_agency.acronym if by_agency else _("An administrator"),
        "number": agreement.current_version.number if agreement.current_version else 1,
    }


def _not_asked_yet(version, agencies) -> list:
    """``agencies`` that were never asked to approve ``version``, now recorded as asked: one
    request per version and party (the callers hold the agreement's row lock)."""
    asked = set(
        ApprovalRequest.objects.filter(
            version=version, agency__in=[a.pk for a in agencies]
        ).values_list("agency_id", flat=True)
    )
    new = [a for a in agencies if a.pk not in asked]
    ApprovalRequest.objects.bulk_create(
        [ApprovalRequest(version=version, agency=a) for a in new], ignore_conflicts=True
    )
    return new


def agreement_awaits_approval(agreement, *, by_agency=None, base_url: str = "") -> None:
    """The parties that have not approved the current version yet are asked to, once per
    version: the partner asked at the submission is not asked again when the submitter
    approves."""
    version = agreement.current_version
    approved = set(version.approvals.values_list("agency_id", flat=True))
    agencies = [a for a in _recipient_agencies(agreement, by_agency) if a.pk not in approved]
    agencies = _not_asked_yet(version, agencies)
    if not agencies:
        return

    def compose():
        ctx = _context(agreement, by_agency)
        subject = _("Agreement %(reference)s awaits your approval") % ctx
        body = (
            _(
                "%(agency)s asks you to approve version %(number)s of the agreement "
                "%(reference)s “%(title)s”. Read it and approve it on the platform:"
            )
            % ctx
        )
        return subject, body

    _notify(agreement, agencies, compose, base_url)


def agreement_approved(agreement, *, by_agency=None, base_url: str = "") -> None:
    def compose():
        ctx = _context(agreement, by_agency)
        subject = _("Agreement %(reference)s is approved by both parties") % ctx
        body = (
            _(
                "%(agency)s has approved version %(number)s of the agreement %(reference)s "
                "“%(title)s”: both parties have now approved it, and its quotas apply."
            )
            % ctx
        )
        return subject, body

    _notify(agreement, _recipient_agencies(agreement, by_agency), compose, base_url)


def agreement_changed(agreement, version, *, by_agency=None, base_url: str = "") -> None:
    """The partner is told of the change, which asks it to approve the new version: that
    counts as the request for this version (no "awaits your approval" for it later)."""
    _not_asked_yet(version, _recipient_agencies(agreement, by_agency))

    def compose():
        ctx = {**_context(agreement, by_agency), "number": version.number}
        subject = _("Agreement %(reference)s has changed") % ctx
        body = (
            _(
                "%(agency)s has changed the agreement %(reference)s “%(title)s”: version "
                "%(number)s needs the approval of both parties again. Until then, placements "
                "run under the last approved version. Compare the versions and approve:"
            )
            % ctx
        )
        return subject, body

    _notify(agreement, _recipient_agencies(agreement, by_agency), compose, base_url)


def agreement_status_changed(agreement, *, by_agency=None, base_url: str = "") -> None:
    def compose():
        ctx = {
            **_context(agreement, by_agency),
            "status": agreement.get_phase_display(),
            "reason": agreement.status_reason or "—",
        }
        subject = _("Agreement %(reference)s: %(status)s") % ctx
        body = (
            _(
                "%(agency)s has changed the status of the agreement %(reference)s “%(title)s” "
                "to: %(status)s. Reason: %(reason)s"
            )
            % ctx
        )
        return subject, body

    _notify(agreement, _recipient_agencies(agreement, by_agency), compose, base_url)
