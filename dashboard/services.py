"""Writes of the home page: acknowledging an alert, and the weekly digest of alerts."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from agencies import rules as access
from agencies.models import Membership
from core.errors import DomainError
from core.languages import languages_of
from core.mail import queue_emails
from volunteers.models import email_concern

from .alerts import Alert, alerts_for
from .models import AlertAcknowledgement, AlertDigest


@transaction.atomic
def alert_acknowledge(
    *, agency, kind: str, key: str, user, today: datetime.date
) -> AlertAcknowledgement:
    """Record that ``user`` took the alert in hand for ``agency``: only an alert that applies to
    the agency now (an old link or a forged key is refused); acknowledged once."""
    if not any(a.kind == kind and a.key == key for a in alerts_for(agency=agency, today=today)):
        raise DomainError(_("This alert no longer applies."))
    ack, _created = AlertAcknowledgement.objects.get_or_create(
        agency=agency, kind=kind, key=key, defaults={"user": user}
    )
    return ack


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week: a digest is sent once per recipient and week."""
    return day - datetime.timedelta(days=day.weekday())


def _digest(
    user, sections: list[tuple[object, list[Alert]]], week: datetime.date, language: str
) -> EmailMessage:
    site = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        count = sum(len(alerts) for _agency, alerts in sections)
        subject = ngettext("%(count)d alert this week", "%(count)d alerts this week", count) % {
            "count": count
        }
        lines = [
            _("The alerts of the week of %(date)s on Reciprocity, not acknowledged yet.")
            % {"date": date_format(week, "SHORT_DATE_FORMAT")},
        ]
        # The colon after a label as the alerts page writes it (French puts a space before it).
        colon = pgettext("after a label", ":")
        for agency, alerts in sections:
            lines += ["", f"{agency.acronym} — {agency.name}"]
            for alert in alerts:
                lines.append(f"- {alert.label}{colon} {alert.subject} ({alert.detail})")
                lines.append(f"  {site}{alert.url}")
        lines += [
            "",
            _("Acknowledge them on the home page of your agency: %(url)s") % {"url": site + "/"},
        ]
    return EmailMessage(
        subject, "\n".join(lines) + "\n", to=[user.email], headers={"Content-Language": language}
    )


def alert_digests_send(*, today: datetime.date) -> int:
    """One digest per recipient for the week of ``today``: the unacknowledged alerts of each of
    their agencies where their role receives alerts (``access.NOTIFY_ALERTS``). A recipient
    with no alert gets nothing; one already sent this week is skipped (the unique row is
    inserted in the transaction that records the e-mail). Returns the digests sent."""
    week = week_of(today)
    memberships = (
        Membership.objects.filter(
            agency__is_active=True, role__in=access.NOTIFY_ALERTS, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "agency")
        .order_by("user_id", "agency__acronym")
    )
    by_user: dict[int, list] = defaultdict(list)
    users = {}
    for membership in memberships:
        by_user[membership.user_id].append(membership.agency)
        users[membership.user_id] = membership.user
    # Each recipient reads it in the language of their account (the default where none).
    language_of = languages_of(users)
    already = set(AlertDigest.objects.filter(week=week).values_list("user_id", flat=True))
    # The alerts' texts are written in the recipient's language: computed once per agency and
    # language.
    computed: dict[tuple[int, str], list[Alert]] = {}
    sent = 0
    for user_id, agencies in by_user.items():
        if user_id in already:
            continue
        user = users[user_id]
        language = language_of[user_id]
        sections = []
        for agency in agencies:
            if (agency.pk, language) not in computed:
                with translation.override(language):
                    alerts = alerts_for(agency=agency, today=today)
                computed[agency.pk, language] = [a for a in alerts if not a.is_acknowledged]
            if computed[agency.pk, language]:
                sections.append((agency, computed[agency.pk, language]))
        if not sections:
            continue
        try:
            with transaction.atomic():
                AlertDigest.objects.create(
                    user=user, week=week, alerts=sum(len(a) for _g, a in sections)
                )
                queue_emails(
                    [_digest(user, sections, week, language)],
                    concerning=[
                        email_concern(alert.volunteer_id)
                        for _agency, alerts in sections
                        for alert in alerts
                        if alert.volunteer_id is not None
                    ],
                )
        except IntegrityError:
            continue  # sent meanwhile by another run
        sent += 1
    return sent
