"""E-mails to the other agency of a placement: nomination, confirmation, decline, withdrawal.

Like ``exchanges.notifications``: built inside the transaction, sent after commit (a refused or
rolled-back step announces nothing), one message per recipient, in the default language.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Membership
from agencies.rules import roles_of
from exchanges.notifications import _send_on_commit

# Managers and officers run placements on both sides.
RECIPIENT_ROLES = [Membership.Role.MANAGER, Membership.Role.OFFICER]


def _emails(agency_ids) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(
                agency__in=agency_ids,
                agency__is_active=True,
                role__in=RECIPIENT_ROLES,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _subjects():
    return {
        "nominated": _("[Reciprocity] %(volunteer)s nominated for “%(mission)s”"),
        "confirmed": _("[Reciprocity] %(volunteer)s confirmed for “%(mission)s”"),
        "declined": _("[Reciprocity] %(volunteer)s declined for “%(mission)s”"),
        "withdrawn": _("[Reciprocity] %(volunteer)s withdrawn from “%(mission)s”"),
    }


def _bodies():
    return {
        "nominated": _(
            "%(agency)s nominates %(volunteer)s for the mission “%(mission)s” (%(structure)s, "
            "%(city)s). Confirm or decline the nomination on the platform:"
        ),
        "confirmed": _(
            "%(agency)s confirms %(volunteer)s for the mission “%(mission)s” (%(structure)s, "
            "%(city)s)."
        ),
        "declined": _(
            "%(agency)s declines %(volunteer)s for the mission “%(mission)s”. Reason: %(reason)s"
        ),
        "withdrawn": _(
            "%(agency)s records the withdrawal of %(volunteer)s from the mission “%(mission)s”. "
            "Reason: %(reason)s"
        ),
    }


def _acting_agency_id(placement, user) -> int | None:
    roles = roles_of(user) if user is not None else {}
    for agency_id in (placement.quota.sending_id, placement.quota.receiving_id):
        if agency_id in roles:
            return agency_id
    return None


def placement_changed(placement, *, by_agency_id=None, by_user=None, url: str = "") -> None:
    """Tell the other agency of the placement what happened (both when an admin acted)."""
    quota = placement.quota
    if by_agency_id is None:
        by_agency_id = _acting_agency_id(placement, by_user)
    parties = {quota.sending_id: quota.sending, quota.receiving_id: quota.receiving}
    recipients = [pk for pk in parties if pk != by_agency_id]
    mission = placement.mission
    with translation.override(settings.LANGUAGE_CODE):
        by = parties.get(by_agency_id)
        ctx = {
            "agency": by.acronym if by else _("An administrator"),
            "volunteer": placement.volunteer.full_name,
            "mission": mission.title,
            "structure": mission.host_structure.name,
            "city": mission.city,
            "reason": placement.reason or "—",
        }
        subject = _subjects()[placement.status] % ctx
        body = _bodies()[placement.status] % ctx
    link = (url or settings.SITE_URL).rstrip("/") + placement.get_absolute_url()
    _send_on_commit(
        [EmailMessage(subject, f"{body}\n\n{link}\n", to=[e]) for e in _emails(recipients)]
    )
