"""The outbox: e-mails recorded with the change, sent by a task (claimed once), retried with
backoff, swept when left unsent. The faults (server down, hung, broker down) are in
tests/faults/test_mail_down.py."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config import celery_app
from core import outbox, tasks
from core.mail import queue_emails
from core.models import OutgoingEmail
from core.tasks import SEND_EMAIL
from exchanges.services import agreement_submit
from tests.factories import AgencyFactory, make_agreement, manager_of

pytestmark = pytest.mark.django_db


class _RecordingTask:
    """Stands for the send task on a working broker: records what is published."""

    name = SEND_EMAIL

    def __init__(self):
        self.published = []
        self.app = celery_app  # whose configuration says whether tasks run in-process

    def apply_async(self, args=(), kwargs=None):
        self.published.append(args)


def test_a_notification_is_recorded_and_only_enqueued_no_smtp_in_the_request(
    settings, monkeypatch, closed_port, django_capture_on_commit_callbacks
):
    from config import celery_app

    # Any SMTP connection would fail and count an attempt: none may happen.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    task = _RecordingTask()
    monkeypatch.setitem(celery_app.tasks, SEND_EMAIL, task)
    a, b = AgencyFactory(), AgencyFactory()
    author, partner = manager_of(a), manager_of(b)
    agreement = make_agreement(party_a=a, party_b=b, author=author)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        agreement_submit(agreement=agreement, user=author, by_agency=a)
        email = OutgoingEmail.objects.get()  # recorded in the change's transaction
        assert task.published == []  # enqueued only after the commit
    assert task.published == [(email.pk,)]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("queued", 0, "")
    assert email.to == [partner.email] and "attend votre approbation" in email.subject


def test_a_rolled_back_change_records_no_email():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_emails([EmailMessage("s", "b", to=["x@example.org"])])
        raise RuntimeError
    assert not OutgoingEmail.objects.exists()


def test_the_message_goes_out_as_recorded_and_once(
    tasks_in_process, django_capture_on_commit_callbacks
):
    message = EmailMultiAlternatives(
        "Sujet é", "Texte", "Vir <vir@example.org>", ["a@example.org"], cc=["c@example.org"],
        reply_to=["r@example.org"], headers={"X-Vir": "1"},
    )  # fmt: skip
    message.attach_alternative("<p>Texte</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        queue_emails([message])
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == ("done", 1)
    # A second delivery of the task (or the sweep) finds it claimed: nothing more is sent.
    assert outbox.email_send(email.pk).claimed is False
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.from_email) == (
        "[Reciprocity] Sujet é",  # the platform's prefix (``core.mail.subject_line``)
        "Texte",
        "Vir <vir@example.org>",
    )
    assert (sent.to, sent.cc, sent.reply_to) == (
        ["a@example.org"],
        ["c@example.org"],
        ["r@example.org"],
    )
    assert sent.extra_headers == {"X-Vir": "1"}
    assert sent.alternatives[0][:2] == ("<p>Texte</p>", "text/html")


def _queued():
    [email] = outbox.record([EmailMessage("s", "b", to=["x@example.org"])])
    return email


def test_a_workers_failed_attempt_is_retried_with_backoff_then_given_up(
    settings, monkeypatch, closed_port
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    retries = []
    monkeypatch.setattr(
        tasks.send_email, "retry", lambda countdown, throw: retries.append(countdown)
    )
    email = _queued()
    for _attempt in range(outbox.MAX_ATTEMPTS):
        tasks.send_email(email.pk)  # as a worker runs it (not in-process)
    email.refresh_from_db()
    assert retries == [30, 60, 120, 240, 480, 960, 1920]  # then no more
    assert (email.status, email.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in email.last_error
    assert outbox.email_send(email.pk).claimed is False  # a failed e-mail is not sent again


def test_the_sweep_takes_back_a_message_whose_sender_died_and_leaves_fresh_ones(
    tasks_in_process,
):
    stale, fresh, sending = _queued(), _queued(), _queued()
    long_ago = timezone.now() - outbox.LEASE - timedelta(minutes=1)
    OutgoingEmail.objects.filter(pk=stale.pk).update(status="running", claimed_at=long_ago)
    OutgoingEmail.objects.filter(pk=sending.pk).update(status="running", claimed_at=timezone.now())
    assert outbox.emails_due() == [stale.pk]  # fresh: its own task has a minute to send it
    tasks.sweep_emails()
    statuses = dict(OutgoingEmail.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "done", fresh.pk: "queued", sending.pk: "running"}
    assert len(mail.outbox) == 1


def test_the_admin_lists_the_outbox_read_only(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    email = _queued()
    page = client.get(reverse("admin:core_outgoingemail_changelist") + "?status__exact=queued")
    assert page.status_code == 200 and "x@example.org" in page.content.decode()
    assert client.get(reverse("admin:core_outgoingemail_add")).status_code == 403
    detail = client.get(reverse("admin:core_outgoingemail_change", args=[email.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
