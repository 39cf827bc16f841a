"""Sending e-mail after the transaction that decided it."""

from django.core.mail import EmailMessage, get_connection
from django.db import transaction


def send_on_commit(messages: list[EmailMessage]) -> None:
    """Send ``messages`` once the current transaction commits: a rolled-back change announces
    nothing; a failing mail server is logged and the committed change stands."""

    def send():
        get_connection().send_messages(messages)

    if messages:
        transaction.on_commit(send, robust=True)
