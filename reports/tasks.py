from celery import shared_task
from django.db import OperationalError

from .services import report_run, reports_sweep


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def run_report(self, report_id: int) -> None:
    """Render one report (a transient database error is retried with backoff)."""
    report_run(report_id)


@shared_task(ignore_result=True)
def sweep_reports() -> None:
    """Periodic (beat): enqueue the reports that stayed queued because the broker was down."""
    reports_sweep()
