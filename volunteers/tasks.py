"""Celery tasks of the volunteers app: thin shells around services, taking ids."""

from celery import shared_task

from .services import volunteer_import_run


@shared_task(ignore_result=True)
def run_volunteer_import(import_id: int) -> None:
    volunteer_import_run(import_id=import_id)
