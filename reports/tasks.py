from celery import shared_task

from core.tasks import JOB_TASK

from .services import report_run, reports_sweep


@shared_task(**JOB_TASK)
def run_report(self, report_id: int) -> None:
    """Render one report (a transient database error is retried with backoff)."""
    report_run(report_id)


@shared_task(ignore_result=True)
def sweep_reports() -> None:
    """Periodic (beat): enqueue the reports that stayed queued because the broker was down."""
    reports_sweep()
