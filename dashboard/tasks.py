from celery import shared_task
from django.utils import timezone

from .services import alert_digests_send


@shared_task(ignore_result=True)
def weekly_alert_digests() -> None:
    """Celery beat, every Monday morning (settings.CELERY_BEAT_SCHEDULE): each recipient's
    digest of the week's alerts, sent once."""
    alert_digests_send(today=timezone.localdate())
