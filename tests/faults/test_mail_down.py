"""The mail server down, hung, or the broker down: the page that decides an e-mail answers fast
and normally, the message waits in the outbox with its error and attempts, and is sent once (by
the retry or the sweep) when the server or the broker is back. Real parts: Django's SMTP
backend against a closed port, a server that never answers, a small SMTP server."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutgoingEmail
from core.tasks import SEND_EMAIL, sweep_emails
from exchanges.models import Agreement
from tests.factories import AgencyFactory, make_agreement, manager_of
from tests.smtp_stub import SMTPStub

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def smtp(settings):
    """``smtp(port)``: e-mail through Django's SMTP backend to 127.0.0.1:``port``."""

    def use(port, timeout=10):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_TIMEOUT = timeout
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    return use


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """A manager submits an agreement through its page: the partner's manager is e-mailed."""
    a, b = AgencyFactory(acronym="ANVT-M"), AgencyFactory(acronym="CNPV-M")
    author = manager_of(a)
    partner = manager_of(b)
    agreement = make_agreement(party_a=a, party_b=b, author=author, reference="VIR-MAIL-1")
    client.force_login(author)

    def _submit():
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("exchanges:submit", args=[agreement.pk]))
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert Agreement.objects.get(pk=agreement.pk).status == "submitted"
        return elapsed

    _submit.partner = partner
    return _submit


def _time_passes():
    """Every wait of the outbox is over (the backoff, the sweep's grace)."""
    OutgoingEmail.objects.filter(status="queued").update(
        next_attempt_at=timezone.now() - timedelta(hours=2)
    )


def test_smtp_down_the_page_answers_the_message_waits_then_goes_out_once(submit, smtp, closed_port):
    smtp(closed_port)
    assert submit() < 10  # the page answers (a busy machine may be slow, never blocked)
    email = OutgoingEmail.objects.get()
    assert email.to == [submit.partner.email]
    assert (email.status, email.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > email.created_at  # backed off

    # Still down at the sweep: one more attempt, counted, still queued.
    _time_passes()
    sweep_emails()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 2)

    with SMTPStub() as server:
        smtp(server.port)
        _time_passes()
        sweep_emails()
        sweep_emails()  # nothing left to send
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("done", 3)
    assert email.sent_at is not None
    [message] = server.messages
    assert message["To"] == submit.partner.email
    assert "VIR-MAIL-1" in message["Subject"]


def test_a_hung_smtp_server_costs_at_most_the_email_timeout(submit, smtp, hung_port):
    smtp(hung_port, timeout=1)
    # In-process (no broker) the attempt runs after the commit, bounded by EMAIL_TIMEOUT; with a
    # broker the page only enqueues (see tests/test_outbox.py).
    assert submit() < 10  # bounded by EMAIL_TIMEOUT (1 s), where a hung server held it forever
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == ("queued", 1)
    assert "timed out" in email.last_error


def test_broker_down_the_page_answers_and_the_sweep_sends_later(
    submit, monkeypatch, dead_broker_task, mailoutbox
):
    from config import celery_app

    real_task = celery_app.tasks[SEND_EMAIL]
    dead = dead_broker_task(SEND_EMAIL)
    monkeypatch.setitem(celery_app.tasks, SEND_EMAIL, dead)
    submit()
    assert len(dead.publish_seconds) == 1 and dead.publish_seconds[0] < 3  # not 19 s, not forever
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.last_error) == ("queued", 0, "")
    assert mailoutbox == []

    # The sweep while the broker is still down loses nothing.
    _time_passes()
    sweep_emails()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 0)

    # The broker is back: two sweeps, one message.
    monkeypatch.setitem(celery_app.tasks, SEND_EMAIL, real_task)
    sweep_emails()
    sweep_emails()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("done", 1)
    [message] = mailoutbox
    assert message.to == [submit.partner.email]
