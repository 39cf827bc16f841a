"""Report requests and their rendering. A report is recorded first, then rendered by a task:
if the broker is down the row stays queued and the retry button (or a sweep) enqueues it again."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core import jobs
from core.errors import DomainError
from core.tasks import enqueue, enqueue_after_response

from .models import Report

RUN_REPORT = "reports.tasks.run_report"  # the task wrapping report_run

logger = logging.getLogger(__name__)

# kind → "module.function" taking the Report and returning (bytes, filename). Strings, so that
# this generic app imports no domain app.
BUILDERS: dict[str, str] = {
    Report.Kind.EVALUATION: "evaluations.reports.build",
    Report.Kind.QUOTA: "exchanges.quota_report.build",
    Report.Kind.CERTIFICATE: "voice.certificates.build",
    Report.Kind.PROGRAMME: "programmes.report.build",
}


# kind → "module.function" taking the Report and returning its parameters as sentences in the
# active language (scope, cohorts, threshold), for its page and its row in the list. A kind
# missing here has none to show beyond the row's fields.
DESCRIBERS: dict[str, str] = {
    Report.Kind.QUOTA: "exchanges.quota_report.describe",
}


def report_describe(report: Report, *, short: bool = False) -> list[str]:
    """What ``report`` covers beyond its kind and format (empty for most kinds); ``short``:
    only what sets it apart from the whole report of its scope (its row in the list)."""
    path = DESCRIBERS.get(report.kind)
    return import_string(path)(report, short=short) if path else []


def builder_for(kind: str) -> Callable:
    try:
        return import_string(BUILDERS[kind])
    except KeyError as exc:
        raise DomainError(_("No builder for reports of this kind.")) from exc


def _enqueue(report: Report) -> None:
    """Enqueue after commit; ``report.enqueued`` then says whether the broker took it (None
    until the transaction commits). A report left queued is picked up by the sweep. Without a
    broker the rendering runs after the response (``core.tasks.enqueue_after_response``): the
    request records and enqueues, never renders."""
    report.enqueued = None

    def send():
        report.enqueued = enqueue_after_response(RUN_REPORT, report.pk)

    transaction.on_commit(send)


def report_request_rate_check(user) -> None:
    """Refuse a report request from ``user`` beyond ``REPORT_REQUESTS_PER_MINUTE`` requests in
    the last minute: each request costs a render (seconds of CPU in WeasyPrint), so a user, or a
    script holding a session, must not be able to fill the worker's queue."""
    limit = settings.REPORT_REQUESTS_PER_MINUTE
    since = timezone.now() - timedelta(minutes=1)
    if Report.objects.filter(requested_by=user, created_at__gte=since).count() >= limit:
        raise DomainError(
            _(
                "You have requested %(limit)d reports in the last minute, the most allowed: "
                "wait a minute before requesting another."
            )
            % {"limit": limit}
        )


@transaction.atomic
def report_request(
    *,
    kind: str,
    user=None,
    language: str = "fr",
    format: str = Report.Format.PDF,
    agreement=None,
    agency=None,
    evaluation=None,
    programme=None,
    period_start=None,
    period_end=None,
    params: dict | None = None,
    rate_limited: bool = True,
) -> Report:
    """Record a report to render and enqueue its task once the transaction commits.

    A request made by a user counts towards their rate (``report_request_rate_check``) unless
    ``rate_limited`` is off: for the reports the platform requests by itself on a user's action
    (the report of an evaluation being published)."""
    if user is not None and rate_limited:
        report_request_rate_check(user)
    report = Report(
        kind=kind,
        format=format,
        language=language,
        agreement=agreement,
        agency=agency,
        evaluation=evaluation,
        programme=programme,
        period_start=period_start,
        period_end=period_end,
        params=params or {},
        requested_by=user,
    )
    report.full_clean()
    report.save()
    _enqueue(report)
    return report


def report_run(report_id: int) -> bool:
    """Render the report if it can be claimed (core.jobs); False if another delivery has it.

    The claim is a conditional UPDATE: of two deliveries of the same task only one takes the
    row, and a worker whose lease was taken back writes nothing, so only one file is made.
    """
    return jobs.run(Report, report_id, _render, on_error=_fail, reset={"error": ""})


def _render(claim: jobs.Claim) -> None:
    report = Report.objects.select_related("evaluation", "agreement", "agency", "programme").get(
        pk=claim.pk
    )
    started = time.monotonic()
    content, filename = builder_for(report.kind)(report)
    finished = claim.finish_with_file(
        report,
        filename,
        ContentFile(content),
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    if finished:
        logger.info("Report %s rendered in %.2fs", claim.pk, time.monotonic() - started)


def _fail(claim: jobs.Claim, exc: Exception) -> None:
    """The record keeps the error; the page offers a retry."""
    claim.fail(error=f"{type(exc).__name__}: {exc}"[:2000])


@transaction.atomic
def report_retry(*, report: Report) -> Report:
    """A failed report, or one whose worker was lost (its lease expired), goes back to the
    queue; one that is done or still being rendered does not."""
    if not jobs.retry(Report, report.pk, error=""):
        raise DomainError(_("Only a failed report can be retried."))
    report.refresh_from_db()
    _enqueue(report)
    return report


SWEEP_AFTER = timedelta(minutes=2)


def reports_sweep(*, older_than: timedelta = SWEEP_AFTER) -> int:
    """Enqueue again the reports left queued (the broker was down when they were requested)
    and take back those whose worker was lost (lease expired; failed after the last attempt).

    Safe to repeat: a delivery only renders a report it can claim, so nothing runs twice.
    """
    return jobs.sweep(
        Report,
        send=lambda pk: enqueue(RUN_REPORT, pk),
        older_than=older_than,
        error_field="error",
    )
