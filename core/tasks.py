"""Task dispatch: the one helper through which the project enqueues Celery tasks."""

from __future__ import annotations

import logging
import socket

from celery import current_app, shared_task
from celery.exceptions import NotRegistered
from django import db
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from . import after_response, outbox
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# What a dead broker raises on publish: kombu's OperationalError (connection refused, timeouts),
# bare socket errors from a hung peer, and RuntimeError from a result backend that gives up.
BROKER_ERRORS = (OperationalError, OSError, socket.timeout, RuntimeError)


# The options of a task that renders one recorded job (a report, an export): a transient
# database error is retried with backoff; the job's row says the rest.
JOB_TASK = {
    "bind": True,
    "ignore_result": True,
    "autoretry_for": (db.OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


def enqueue(task, *args, **kwargs) -> bool:
    """Send ``task`` (a task, or its name: services name the tasks that wrap them, which import
    the services) with ``args`` now; return False (and log) if the broker cannot take it.

    Settings bound the time spent on a dead or hung broker to about two seconds, so a request
    never hangs on it. Callers record their work in the database first, so that nothing is lost
    when this returns False: a periodic sweep or a retry button enqueues it again.
    """
    if isinstance(task, str):
        task = _task(task)
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_ERRORS:
        logger.warning("Broker unavailable: %s was not enqueued", task.name, exc_info=True)
        return False
    return True


def enqueue_after_response(task, *args) -> bool:
    """``enqueue``, except that a task that would run in-process (no broker) during a request
    runs after its response instead (True: it will; ``core.after_response``). With a broker, or
    outside a request (a command, a worker, a test calling a service), it is ``enqueue``."""
    if isinstance(task, str):
        task = _task(task)
    if task.app.conf.task_always_eager and after_response.defer(enqueue, task, *args):
        return True
    return enqueue(task, *args)


def _task(name: str):
    try:
        return current_app.tasks[name]
    except NotRegistered:
        # The apps' tasks modules are imported by Celery's autodiscovery, which a web process
        # runs on its first lookup.
        current_app.loader.import_default_modules()
        return current_app.tasks[name]


def enqueue_on_commit(task, *args) -> None:
    """Enqueue after the current transaction commits (the task must see the committed rows);
    in-process (no broker) during a request, the task runs after the response
    (``enqueue_after_response``): an e-mail to a dead mail server or a long import never holds
    the page."""
    transaction.on_commit(lambda: enqueue_after_response(task, *args))


@shared_task(ignore_result=True)
def record_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
    )


SEND_EMAIL = "core.tasks.send_email"


@shared_task(bind=True, ignore_result=True, max_retries=None)
def send_email(self, email_id: int) -> None:
    """Send one recorded e-mail (``core.outbox``); a mail server down or hung is tried again
    with backoff, up to ``outbox.MAX_ATTEMPTS``. Never raises: run in-process (no broker), a
    failure leaves the row to the sweep and the page is not broken."""
    result = outbox.email_send(email_id)
    if result.retry_in is None or self.request.is_eager:
        return
    try:
        self.retry(countdown=result.retry_in.total_seconds(), throw=False)
    except BROKER_ERRORS:
        logger.warning("Broker unavailable: e-mail %s left to the sweep", email_id, exc_info=True)


@shared_task(ignore_result=True)
def sweep_emails() -> None:
    """Periodic (beat): enqueue again the e-mails left unsent (broker down when they were
    recorded, a lost retry, a sender killed mid-send). Each goes out once: the task claims it."""
    for email_id in outbox.emails_due():
        if not enqueue(SEND_EMAIL, email_id):
            return  # the broker is down: the next sweep
