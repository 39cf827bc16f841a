"""Celery tasks of the volunteers app: thin shells around services, taking ids."""

from celery import shared_task


@shared_task(ignore_result=True)
def run_volunteer_import(import_id: int) -> None:
    from .services import volunteer_import_run

    volunteer_import_run(import_id=import_id)
