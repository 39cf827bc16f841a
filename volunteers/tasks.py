"""Celery tasks of the volunteers app: thin shells around services, taking ids."""

from celery import shared_task

from core.tasks import JOB_TASK

from .export_jobs import volunteer_export_run, volunteer_exports_sweep
from .services import volunteer_import_run


@shared_task(ignore_result=True)
def run_volunteer_import(import_id: int) -> None:
    volunteer_import_run(import_id=import_id)


@shared_task(**JOB_TASK)
def run_volunteer_export(self, export_id: int) -> None:
    """Write one export of the volunteer list (a transient database error is retried)."""
    volunteer_export_run(export_id=export_id)


@shared_task(ignore_result=True)
def sweep_volunteer_exports() -> None:
    """Periodic (beat): enqueue the exports left queued (the broker was down) and take back
    those whose worker was lost (core.jobs: lease expired)."""
    volunteer_exports_sweep()
