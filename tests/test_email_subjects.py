"""Every e-mail of the platform is titled with the platform's name (``SITE_NAME``), the same
for every audience and language: the notices to the agencies' staff and the volunteers'
questionnaire e-mails, in French and in Spanish."""

import pytest
from django.core import mail
from django.utils import timezone

from core.models import OutgoingEmail
from voice.models import Questionnaire
from voice.services import questionnaires_create, questionnaires_send

from .voice_helpers import completed_placement

# E-mails run in-process, even with a broker configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def test_staff_and_volunteers_read_the_same_prefix_the_platforms_name(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_NAME = "Plateforme VIR"
    with django_capture_on_commit_callbacks(execute=True):
        completed_placement(email="fr@example.org")  # nominated, confirmed: staff notices
        completed_placement(email="es@example.org")
        questionnaires_create(today=timezone.localdate())
        Questionnaire.objects.filter(placement__volunteer__email="es@example.org").update(
            language="es"
        )
        questionnaires_send()  # the volunteers' invitations
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["fr@example.org"].startswith("[Plateforme VIR] Votre mission")
    assert subjects["es@example.org"].startswith("[Plateforme VIR] Su misión")
    assert len(subjects) > 2  # and the staff's notices
    stored = list(OutgoingEmail.objects.values_list("subject", flat=True))
    assert len(stored) == len(mail.outbox)
    for subject in stored:
        assert subject.startswith("[Plateforme VIR] "), subject
        assert subject.count("[") == 1, subject  # one prefix, never a translated one
