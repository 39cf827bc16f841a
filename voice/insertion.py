"""Insertion support after the return: the support actions recorded at a follow-up, and the
e-mail reminding the sending agency that a follow-up falls due (sent once per follow-up)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from agencies import rules as access
from core.errors import DomainError
from core.mail import queue_emails
from missions.models import FollowUp
from volunteers.models import email_concern

from .models import FollowUpReminder, SupportAction


@transaction.atomic
def support_action_add(
    *, follow_up: FollowUp, user, kind: str, outcome: str, note: str = ""
) -> SupportAction:
    if not user.has_perm("vir.record_support_action", follow_up.placement):
        raise PermissionDenied
    action = SupportAction(
        follow_up=follow_up, kind=kind, outcome=outcome, note=note.strip(), recorded_by=user
    )
    try:
        action.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    action.save()
    return action


@transaction.atomic
def support_action_set_outcome(*, action: SupportAction, user, outcome: str) -> SupportAction:
    if not user.has_perm("vir.record_support_action", action.follow_up.placement):
        raise PermissionDenied
    if outcome not in SupportAction.Outcome.values:
        raise DomainError(_("Choose an outcome from the list."), field="outcome")
    SupportAction.objects.filter(pk=action.pk).update(outcome=outcome)
    action.outcome = outcome
    return action


def follow_up_reminders_send(*, today: datetime.date) -> int:
    """Remind the sending agency's managers and officers of each follow-up now due and not
    recorded, once (a ``FollowUpReminder`` per follow-up, recorded with the e-mail)."""
    due = (
        FollowUp.objects.filter(
            recorded_at__isnull=True, due_date__lte=today, reminder__isnull=True
        )
        .select_related("placement__volunteer", "placement__quota", "placement__mission")
        .order_by("pk")
    )
    sent = 0
    for follow_up in due.iterator(chunk_size=500):
        placement = follow_up.placement
        with translation.override(settings.LANGUAGE_CODE):
            ctx = {
                "volunteer": placement.volunteer.full_name,
                "months": follow_up.due_month,
                "mission": placement.mission.title,
            }
            subject = _("Follow-up due: %(volunteer)s, %(months)s months after return") % ctx
            body = (
                _(
                    "The insertion follow-up of %(volunteer)s (mission “%(mission)s”), %(months)s "
                    "months after the return, is due. Record the situation and the support actions "
                    "on the platform:"
                )
                % ctx
            )
        link = settings.SITE_URL.rstrip("/") + placement.get_absolute_url()
        recipients = access.notified_emails([placement.quota.sending_id], access.MANAGE_MISSIONS)
        try:
            with transaction.atomic():
                FollowUpReminder.objects.create(follow_up=follow_up)
                queue_emails(
                    [
                        EmailMessage(
                            subject,
                            f"{body}\n\n{link}\n",
                            to=[e],
                            headers={"Content-Language": settings.LANGUAGE_CODE},
                        )
                        for e in recipients
                    ],
                    concerning=[email_concern(placement.volunteer_id)],
                )
        except IntegrityError:
            continue
        sent += 1
    return sent
