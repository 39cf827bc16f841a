"""Two beats firing the daily run at the same moment: each e-mail is recorded, and sent, once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.models import OutgoingEmail
from voice.models import QuestionnaireMessage
from voice.services import questionnaires_create, questionnaires_send

from .voice_helpers import completed_placement

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 4


@pytest.mark.parametrize("attempt", range(3))
def test_parallel_daily_runs_invite_each_volunteer_once(attempt):
    placements = [completed_placement(email=f"v{n}-{attempt}@example.org") for n in range(3)]
    # The questionnaires exist (yesterday's run); today's runs race on their invitations.
    questionnaires_create(today=timezone.localdate())
    barrier = threading.Barrier(RUNS)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            questionnaires_send()
        except Exception as exc:  # an IntegrityError escaping the run would land here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # This test's placements only: a committed demo loaded by another test of the same worker
    # has completed placements of its own.
    sent = QuestionnaireMessage.objects.filter(questionnaire__placement__in=placements)
    assert sent.count() == len(placements)
    recipients = [e for row in OutgoingEmail.objects.values_list("to", flat=True) for e in row]
    for placement in placements:
        assert recipients.count(placement.volunteer.email) == 1
