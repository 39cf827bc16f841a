"""E-mails to the other agency of a placement: nomination, confirmation, decline, withdrawal.

Like ``exchanges.notifications``: built inside the transaction, recorded in the outbox with it,
sent by a task after commit (a refused or rolled-back step announces nothing), one message per
recipient, in the language of their account (French by default).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agencies import rules as access
from core.mail import queue_emails
from core.texts import of
from volunteers.models import email_concern

from .models import PlacementStatus


def _subjects():
    return {
        PlacementStatus.NOMINATED: _("%(volunteer)s nominated for “%(mission)s”"),
        PlacementStatus.CONFIRMED: _("%(volunteer)s confirmed for “%(mission)s”"),
        PlacementStatus.DECLINED: _("%(volunteer)s declined for “%(mission)s”"),
        PlacementStatus.WITHDRAWN: _("%(volunteer)s withdrawn from “%(mission)s”"),
    }


def _bodies():
    return {
        PlacementStatus.NOMINATED: _(
            "%(agency)s nominates %(volunteer)s for the mission “%(mission)s” (%(structure)s, "
            "%(city)s). Confirm or decline the nomination on the platform:"
        ),
        # The nomination as the host's officers (and, when an administrator nominated, the
        # sender's members) read it: only the host's managers decide (``agencies.rules``).
        "nominated_for_information": _(
            "%(agency)s nominates %(volunteer)s for the mission “%(mission)s” (%(structure)s, "
            "%(city)s). The host agency's managers confirm or decline the nomination on the "
            "platform:"
        ),
        PlacementStatus.CONFIRMED: _(
            "%(agency)s confirms %(volunteer)s for the mission “%(mission)s” (%(structure)s, "
            "%(city)s)."
        ),
        PlacementStatus.DECLINED: _(
            "%(agency)s declines %(volunteer)s for the mission “%(mission)s”. Reason: %(reason)s"
        ),
        PlacementStatus.WITHDRAWN: _(
            "%(agency)s records the withdrawal %(of_volunteer)s from the mission “%(mission)s”. "
            "Reason: %(reason)s"
        ),
    }


def _acting_agency_id(placement, user) -> int | None:
    roles = access.roles_of(user) if user is not None else {}
    for agency_id in (placement.quota.sending_id, placement.quota.receiving_id):
        if agency_id in roles:
            return agency_id
    return None


def placement_changed(placement, *, by_agency_id=None, by_user=None, url: str = "") -> None:
    """Tell the other agency of the placement what happened (both when an admin acted)."""
    if placement.status not in _subjects():
        return  # departures, returns and completions are recorded by both sides: no notice
    quota = placement.quota
    if by_agency_id is None:
        by_agency_id = _acting_agency_id(placement, by_user)
    parties = {quota.sending_id: quota.sending, quota.receiving_id: quota.receiving}
    recipients = [pk for pk in parties if pk != by_agency_id]
    mission = placement.mission
    by = parties.get(by_agency_id)

    def compose(variant):
        ctx = {
            "agency": by.acronym if by else _("An administrator"),
            "volunteer": placement.volunteer.full_name,
            "of_volunteer": of(placement.volunteer.full_name),
            "mission": mission.title,
            "structure": mission.host_structure.name,
            "city": mission.city,
            "reason": placement.reason or "—",
        }
        subject = _subjects()[placement.status] % ctx
        body = _bodies()[variant] % ctx
        if placement.status == PlacementStatus.CONFIRMED and placement.reason:
            body += "\n" + _("Note from the host agency: %(note)s") % {"note": placement.reason}
        return subject, body

    # A nomination links to the reduced profile the host reviews it on; the rest to the mission.
    path = (
        reverse("missions:nominee", args=[placement.pk])
        if placement.status == PlacementStatus.NOMINATED
        else placement.get_absolute_url()
    )
    link = (url or settings.SITE_URL).rstrip("/") + path
    deciders: dict[str, list[str]] = {}
    if placement.status == PlacementStatus.NOMINATED and quota.receiving_id in recipients:
        deciders = access.notified_recipients([quota.receiving_id], {access.Role.MANAGER})
    deciding = {e for emails in deciders.values() for e in emails}
    informed = {
        language: [e for e in emails if e not in deciding]
        for language, emails in access.notified_recipients(
            recipients, access.NOTIFY_PLACEMENTS
        ).items()
    }
    for_information = (
        "nominated_for_information"
        if placement.status == PlacementStatus.NOMINATED
        else placement.status
    )
    messages = []
    for variant, by_language in ((placement.status, deciders), (for_information, informed)):
        for language, emails in by_language.items():
            with translation.override(language):
                subject, body = compose(variant)
            messages += [
                EmailMessage(
                    subject, f"{body}\n\n{link}\n", to=[e], headers={"Content-Language": language}
                )
                for e in emails
            ]
    queue_emails(messages, concerning=[email_concern(placement.volunteer_id)])
