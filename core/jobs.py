"""Recorded background jobs (a report, an export): claimed with a lease, so that none stays
"running" forever.

A job is a row (``status`` of ``JobStatus``, ``attempts``, ``language``, ``created_at``,
``started_at``, ``finished_at``, ``lease_expires_at``) and a task that takes its id. The task
*claims* the row with one conditional UPDATE: queued → running, ``attempts`` + 1, a lease of
``JOB_LEASE_SECONDS``. Of two deliveries of the task only one can claim it. The attempt number
is the claim's token: the result is written only by an UPDATE that still finds the row running
under that attempt, so a late worker whose lease was taken back writes nothing (and removes the
file it made): the job is done exactly once.

A worker that dies mid-job (SIGKILL, out of memory, a deploy) leaves its row running; once the
lease has expired, the sweep (Celery beat) puts it back in the queue and enqueues it again, up
to ``JOB_MAX_ATTEMPTS`` attempts; past them the job is failed with a message and can be retried
by hand. A transient database error after the claim gives the row back to the queue (the
attempt stays counted) and is raised again, so that the task's ``autoretry_for`` claims it anew.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django import db
from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from .models import JobStatus

logger = logging.getLogger(__name__)

# Errors of the database connection (server restarting, network), not of the job: retried.
TRANSIENT_DB_ERRORS = (db.OperationalError, db.InterfaceError)

LOST_MESSAGE = gettext_noop(
    "The work stopped %(attempts)s times without finishing (the worker was lost, for instance "
    "out of memory). Retry it, or contact the administrator if it fails again."
)


class LeaseLost(Exception):
    """The job was taken back (its lease expired and another worker claimed it)."""


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def lease_expired(now: datetime.datetime) -> Q:
    """Running, but its worker has not finished within the lease: presumably dead."""
    return Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)


def claimable(now: datetime.datetime) -> Q:
    return Q(status=JobStatus.QUEUED) | (
        lease_expired(now) & Q(attempts__lt=settings.JOB_MAX_ATTEMPTS)
    )


def retryable(now: datetime.datetime) -> Q:
    """What a user may send back to the queue: a failed job, or one whose worker was lost."""
    return Q(status=JobStatus.FAILED) | lease_expired(now)


@dataclass(frozen=True)
class Claim:
    """The right to work on one job, as attempt number ``attempt``."""

    model: type[models.Model]
    pk: int
    attempt: int

    @property
    def rows(self) -> models.QuerySet:
        """The job's row while it is still ours (empty once taken back)."""
        return self.model.objects.filter(
            pk=self.pk, status=JobStatus.RUNNING, attempts=self.attempt
        )

    def renew(self, **fields) -> None:
        """Extend the lease (a heartbeat of a long job), with ``fields`` (progress)."""
        if not self.rows.update(lease_expires_at=timezone.now() + lease_duration(), **fields):
            raise LeaseLost

    def finish(self, **fields) -> bool:
        """Done, with ``fields``; False (nothing written) if the job is no longer ours."""
        return bool(
            self.rows.update(
                status=JobStatus.DONE, lease_expires_at=None, finished_at=timezone.now(), **fields
            )
        )

    def finish_with_file(self, job, name: str, content: File, **fields) -> bool:
        """Store ``content`` in the job's ``file`` field and finish; if the job is no longer
        ours (or the update fails) the stored file is removed: one file per job."""
        field_file = job.file
        field_file.save(name, content, save=False)
        try:
            finished = self.finish(file=field_file.name, **fields)
        except BaseException:
            field_file.delete(save=False)
            raise
        if not finished:
            logger.warning(
                "%s %s was taken back: its file is dropped", self.model.__name__, self.pk
            )
            field_file.delete(save=False)
        return finished

    def fail(self, **fields) -> bool:
        return bool(
            self.rows.update(
                status=JobStatus.FAILED, lease_expires_at=None, finished_at=timezone.now(), **fields
            )
        )

    def release(self) -> bool:
        """Back to the queue, the attempt kept (a transient error: the task will retry)."""
        return bool(
            self.rows.update(
                status=JobStatus.QUEUED, lease_expires_at=None, started_at=None, finished_at=None
            )
        )


def claim(model: type[models.Model], pk: int, **reset) -> Claim | None:
    """Take the job if it is queued or its lease expired (attempts left); None otherwise.
    ``reset``: fields to set at the same time (the progress of an earlier attempt)."""
    now = timezone.now()
    with transaction.atomic():  # the UPDATE locks the row until the attempt is read
        claimed = model.objects.filter(claimable(now), pk=pk).update(
            status=JobStatus.RUNNING,
            started_at=now,
            finished_at=None,
            lease_expires_at=now + lease_duration(),
            attempts=F("attempts") + 1,
            **reset,
        )
        if not claimed:
            return None
        attempt = model.objects.filter(pk=pk).values_list("attempts", flat=True).get()
    return Claim(model, pk, attempt)


def run(
    model: type[models.Model],
    pk: int,
    work: Callable[[Claim], None],
    *,
    on_error: Callable[[Claim, Exception], None],
    reset: dict | None = None,
) -> bool:
    """Claim the job and do ``work(claim)``; False if it could not be claimed.

    A transient database error gives the job back to the queue and is raised again (for the
    task's autoretry); ``LeaseLost`` ends quietly (another worker has the job); any other error
    is the job's failure: ``on_error(claim, exc)`` records it.
    """
    job = claim(model, pk, **(reset or {}))
    if job is None:
        return False
    try:
        work(job)
    except LeaseLost:
        logger.warning("%s %s was taken back from this worker", model.__name__, pk)
    except TRANSIENT_DB_ERRORS:
        logger.warning("%s %s: database error, back to the queue", model.__name__, pk)
        try:
            job.release()
        except TRANSIENT_DB_ERRORS:  # still down: the lease will expire and the sweep take it
            logger.warning("%s %s could not be released", model.__name__, pk, exc_info=True)
        raise
    except Exception as exc:
        logger.exception("%s %s failed", model.__name__, pk)
        on_error(job, exc)
    return True


def retry(model: type[models.Model], pk: int, *, also: Q | None = None, **reset) -> bool:
    """Send a failed job (or one whose worker was lost, or ``also``) back to the queue; the
    caller enqueues it. False if the job is in no such state (done, or running alive)."""
    states = retryable(timezone.now())
    if also is not None:
        states |= also
    return bool(
        model.objects.filter(states, pk=pk).update(
            status=JobStatus.QUEUED,
            lease_expires_at=None,
            started_at=None,
            finished_at=None,
            **reset,
        )
    )


def sweep(
    model: type[models.Model],
    *,
    send: Callable[[int], bool],
    older_than: datetime.timedelta,
    error_field: str,
) -> int:
    """What Celery beat runs every few minutes: the jobs whose lease expired go back to the
    queue (or, past ``JOB_MAX_ATTEMPTS``, fail with a message in their language); those back
    in the queue and those queued for longer than ``older_than`` (the broker was down) are
    sent again with ``send(pk)``. Returns how many were sent; safe to repeat (the claim)."""
    now = timezone.now()
    expired = model.objects.filter(lease_expired(now))
    spent = expired.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS)
    for language in spent.values_list("language", flat=True).distinct().order_by():
        with translation.override(language):
            message = gettext(LOST_MESSAGE) % {"attempts": settings.JOB_MAX_ATTEMPTS}
        failed = spent.filter(language=language).update(
            status=JobStatus.FAILED,
            lease_expires_at=None,
            finished_at=now,
            **{error_field: message},
        )
        logger.warning("%s %s jobs failed after their last attempt", failed, model.__name__)
    taken_back = list(expired.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).values_list("pk"))
    if taken_back:
        # The same condition again: a job claimed meanwhile has a fresh lease and stays.
        expired.filter(pk__in=[pk for (pk,) in taken_back]).update(
            status=JobStatus.QUEUED, lease_expires_at=None, started_at=None
        )
        logger.warning("%s %s jobs taken back from lost workers", len(taken_back), model.__name__)
    waiting = model.objects.filter(
        Q(created_at__lt=now - older_than) | Q(pk__in=[pk for (pk,) in taken_back]),
        status=JobStatus.QUEUED,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in waiting.iterator():
        if not send(pk):
            break  # the broker is still down: the next sweep will try again
        sent += 1
    return sent
