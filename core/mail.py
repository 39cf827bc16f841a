"""E-mail decided by a change: recorded with it, sent by a task after it commits."""

from django.core.mail import EmailMessage

from . import outbox
from .tasks import SEND_EMAIL, enqueue_on_commit


def queue_emails(messages: list[EmailMessage]) -> None:
    """Record ``messages`` in the outbox within the current transaction, and enqueue their
    sending once it commits: a rolled-back change announces nothing, no mail server is
    contacted during the request, and a dead broker or mail server loses nothing (the sweep,
    ``core.tasks.sweep_emails``, sends what stayed queued)."""
    for email in outbox.record(messages):
        enqueue_on_commit(SEND_EMAIL, email.pk)
