from celery import shared_task

from .quota_report import quota_reports_monthly


@shared_task(ignore_result=True)
def monthly_quota_reports() -> None:
    """Celery beat, on the first day of each month (settings.CELERY_BEAT_SCHEDULE): the reports
    of the month just ended."""
    quota_reports_monthly()
