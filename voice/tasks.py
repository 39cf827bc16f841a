from celery import shared_task
from django.utils import timezone

from .certificates import certificates_issue_due
from .insertion import follow_up_reminders_send
from .services import questionnaires_send


@shared_task(ignore_result=True)
def daily_questionnaires() -> None:
    """Daily (beat): end-of-mission questionnaires and their reminders, the reminders of the
    follow-ups due, and the certificates of returns recorded after the answers. Each e-mail and
    certificate is recorded once, so a second run the same day adds nothing."""
    questionnaires_send()
    certificates_issue_due()
    follow_up_reminders_send(today=timezone.localdate())
