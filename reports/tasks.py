from celery import shared_task

from core.tasks import JOB_TASK

from .services import report_run, reports_sweep


@shared_task(**JOB_TASK)
def run_report(self, report_id: int) -> None:
    """Render one report (a transient database error is retried with backoff)."""
    report_run(report_id)


@shared_task(ignore_result=True)
def sweep_reports() -> None:
    """Periodic (beat): enqueue the reports left queued (the broker was down) and take back
    those whose worker was lost (core.jobs: lease expired)."""
    reports_sweep()
