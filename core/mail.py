"""E-mail decided by a change: recorded with it, sent by a task after it commits."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage

from . import outbox
from .tasks import SEND_EMAIL, enqueue_on_commit


def subject_line(subject) -> str:
    """``subject`` as every e-mail of the platform is titled: "[SITE_NAME] …", the same for
    staff, volunteers and applicants in every language (the platform's name is not translated).
    """
    return f"[{settings.SITE_NAME}] {subject}"


def queue_emails(messages: list[EmailMessage], *, concerning: Iterable[str] = ()) -> None:
    """Record ``messages`` in the outbox within the current transaction, and enqueue their
    sending once it commits: a rolled-back change announces nothing, no mail server is
    contacted during the request, and a dead broker or mail server loses nothing (the sweep,
    ``core.tasks.sweep_emails``, sends what stayed queued). Their subjects are given the
    platform's prefix here (``subject_line``): no message writes its own. ``concerning``: the
    keys of the people the messages name (``"volunteer:371"``), whose erasure reaches them
    (``outbox.emails_erase``); a message naming someone says its language in its
    Content-Language header, so that the erasure writes in it."""
    for message in messages:
        message.subject = subject_line(message.subject)
    for email in outbox.record(messages, concerning=concerning):
        enqueue_on_commit(SEND_EMAIL, email.pk)
