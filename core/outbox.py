"""The outbox: e-mails recorded with the change that decided them, sent later by a task.

``record`` writes the messages in the current transaction (a rolled-back change announces
nothing); ``core.mail.queue_emails`` records them and enqueues one ``core.tasks.send_email``
per message after commit. ``email_send`` claims a queued row with a conditional UPDATE (of two
deliveries of the same task, or a task and the sweep, only one sends), sends it over the
configured backend (``EMAIL_TIMEOUT`` bounds a hung server) and records the outcome: done, or
back to queued with the error and a later ``next_attempt_at`` (exponential backoff), or failed
after ``MAX_ATTEMPTS``. ``emails_due`` is the sweep's list: rows left queued (the broker was down,
a retry was lost) and rows whose sender died mid-send (lease expired).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone, translation

from .models import OutgoingEmail, OutgoingEmailConcern
from .texts import of

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, 1 h apart: about two hours of trying
BACKOFF = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# A row claimed longer ago than this had its sender killed (a send is bounded by EMAIL_TIMEOUT,
# seconds): the sweep takes it back. The message may then go out twice, never zero times.
LEASE = timedelta(minutes=10)
# The sweep leaves a row this long to the task enqueued with it before enqueuing it again.
SWEEP_GRACE = timedelta(minutes=1)

# What a mail server that is down, refusing or hung raises: smtplib's errors are OSErrors, as
# are refused connections and socket timeouts.
TRANSIENT_ERRORS = (OSError,)


def record(messages: list[EmailMessage], *, concerning: Iterable[str] = ()) -> list[OutgoingEmail]:
    """Record ``messages`` (in the caller's transaction), as naming the people ``concerning``
    keys (``OutgoingEmailConcern``). Attachments are not supported."""
    rows = []
    for message in messages:
        if message.attachments:
            raise ValueError("The outbox does not take attachments.")
        rows.append(
            OutgoingEmail.objects.create(
                subject=str(message.subject),
                body=str(message.body),
                from_email=str(message.from_email),
                to=[str(a) for a in message.to],
                cc=[str(a) for a in message.cc],
                bcc=[str(a) for a in message.bcc],
                reply_to=[str(a) for a in message.reply_to],
                headers={str(k): str(v) for k, v in message.extra_headers.items()},
                alternatives=[
                    [str(content), str(mimetype)]
                    for content, mimetype in getattr(message, "alternatives", [])
                ],
            )
        )
    keys = set(concerning)
    OutgoingEmailConcern.objects.bulk_create(
        [OutgoingEmailConcern(email=row, key=key) for row in rows for key in sorted(keys)]
    )
    return rows


def _address(recipient: str) -> str:
    return parseaddr(recipient)[1].lower()


def _replaced(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def emails_erase(*, concerning: str, names: Iterable[str], label, addresses: Iterable[str]) -> int:
    """A person erased from the outbox (their anonymisation, in its transaction); returns the
    messages changed. Only the messages recorded as concerning them (``concerning``) are read:
    in each, every one of their ``names`` becomes ``label`` (lazy: written in the message's
    language, its Content-Language header), sent or not; a message not sent yet goes out so.
    A message addressed to them (one of their ``addresses``) keeps neither the address nor its
    text (greeted by name, it held their personal link), and is not sent if it was not yet: they
    asked to be forgotten. The rows are locked first: a sender claiming one meanwhile waits, then
    finds it erased (or no longer queued)."""
    names = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    addresses = {a.strip().lower() for a in addresses if a.strip()}
    ids = OutgoingEmailConcern.objects.filter(key=concerning).values("email_id")
    changed = 0
    for email in OutgoingEmail.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        with translation.override(email.headers.get("Content-Language") or settings.LANGUAGE_CODE):
            shown = str(label)
            # "d’Akossiwa Mensah" first, or it would become "d’Volontaire anonymisé".
            pairs = [(of(n), of(shown)) for n in names] + [(n, shown) for n in names]

        email.subject, email.body = _replaced(email.subject, pairs), _replaced(email.body, pairs)
        email.alternatives = [
            [_replaced(content, pairs), mimetype] for content, mimetype in email.alternatives
        ]
        recipients = [*email.to, *email.cc, *email.bcc, *email.reply_to]
        if addresses & {_address(r) for r in recipients}:
            for field in ("to", "cc", "bcc", "reply_to"):
                kept = [r for r in getattr(email, field) if _address(r) not in addresses]
                setattr(email, field, kept)
            email.body, email.alternatives = "", []
            if email.status == OutgoingEmail.Status.QUEUED:
                email.status = OutgoingEmail.Status.FAILED
                email.last_error = "Not sent: its recipient was anonymised."
        email.save()
        changed += 1
    return changed


def message_of(email: OutgoingEmail) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
        alternatives=[tuple(a) for a in email.alternatives],
    )


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return min(BACKOFF * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass(frozen=True)
class Outcome:
    sent: bool = False
    claimed: bool = True
    retry_in: timedelta | None = None  # another attempt is due after this wait


def email_send(email_id: int) -> Outcome:
    """Send the e-mail if it is still queued (see the module's docstring)."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return Outcome(claimed=False)
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        message_of(email).send()
    except Exception as exc:
        # Whatever the failure, the row records it; only a server's errors are worth a retry
        # (a malformed message fails the same way each time).
        error = f"{type(exc).__name__}: {exc}"[:2000]
        transient = isinstance(exc, TRANSIENT_ERRORS)
        logger.warning("E-mail %s not sent (attempt %s): %s", email_id, email.attempts, error)
        if transient and email.attempts < MAX_ATTEMPTS:
            wait = backoff(email.attempts)
            OutgoingEmail.objects.filter(pk=email_id).update(
                status=OutgoingEmail.Status.QUEUED,
                last_error=error,
                next_attempt_at=timezone.now() + wait,
            )
            return Outcome(retry_in=wait)
        OutgoingEmail.objects.filter(pk=email_id).update(
            status=OutgoingEmail.Status.FAILED, last_error=error
        )
        return Outcome()
    OutgoingEmail.objects.filter(pk=email_id).update(
        status=OutgoingEmail.Status.DONE, sent_at=timezone.now()
    )
    return Outcome(sent=True)


def emails_due(*, grace: timedelta = SWEEP_GRACE, lease: timedelta = LEASE) -> list[int]:
    """The rows the sweep enqueues again: queued and due (``grace`` ago), and those whose
    sender died mid-send (claimed more than ``lease`` ago), put back to queued first."""
    now = timezone.now()
    stale = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.RUNNING, claimed_at__lt=now - lease
    )
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutgoingEmail.Status.FAILED, last_error="The sender stopped while sending."
    )
    stale.update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=now - grace)
    due = OutgoingEmail.objects.filter(
        Q(status=OutgoingEmail.Status.QUEUED) & Q(next_attempt_at__lte=now - grace)
    )
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:10_000])
