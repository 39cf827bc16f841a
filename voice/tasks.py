from celery import shared_task
from django.utils import timezone

from .insertion import follow_up_reminders_send
from .services import questionnaires_send


@shared_task(ignore_result=True)
def daily_questionnaires() -> None:
    """Daily (beat): end-of-mission questionnaires and their reminders, and the reminders of the
    follow-ups due. Each e-mail is recorded once, so a second run the same day sends nothing."""
    questionnaires_send()
    follow_up_reminders_send(today=timezone.localdate())
