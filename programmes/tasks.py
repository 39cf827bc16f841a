from celery import shared_task

from .report import programme_reports_quarterly


@shared_task(ignore_result=True)
def quarterly_programme_reports() -> None:
    """Celery beat, on the first day of each quarter (settings.CELERY_BEAT_SCHEDULE): each
    running programme's progress report for the quarter just ended."""
    programme_reports_quarterly()
