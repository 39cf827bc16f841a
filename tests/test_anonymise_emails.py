"""The anonymisation reaches the outbox: the e-mails that name the volunteer, sent or waiting,
no longer do (in each message's language), and those addressed to the person lose their
address and text, and are not sent if they were not yet."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from core.models import OutgoingEmail, UserPreference
from dashboard.services import alert_digests_send
from missions.services import placement_confirm, placement_nominate, placement_withdraw
from tests.factories import MembershipFactory, eligible_volunteer, make_mission
from voice.services import questionnaires_send
from volunteers.models import Volunteer
from volunteers.services import volunteer_anonymise

from .voice_helpers import completed_placement

# E-mails run in-process, even with a broker configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

NAME = {"first_name": "Aïssata", "last_name": "Touré-Bâ"}


def _texts(email) -> str:
    return " ".join([email.subject, email.body, *(c for c, _m in email.alternatives)])


def test_the_notices_naming_the_volunteer_name_no_one_sent_or_waiting(
    django_capture_on_commit_callbacks,
):
    mission = make_mission()
    volunteer = eligible_volunteer(mission.quota.sending, email="aissata@example.org", **NAME)
    reader = MembershipFactory(agency=mission.quota.receiving, role="officer").user
    UserPreference.objects.create(user=reader, language="es")
    other = eligible_volunteer(mission.quota.sending, first_name="Kossi", last_name="Agbo")
    with django_capture_on_commit_callbacks(execute=True):
        placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
        placement_confirm(placement=placement, user=None)
        placement_nominate(mission=mission, volunteer=other, user=None)
    before = set(OutgoingEmail.objects.values_list("pk", flat=True))
    sent = set(OutgoingEmail.objects.filter(status="done").values_list("pk", flat=True))
    # Recorded, not sent yet (the mail server is down, say): "le retrait d’Aïssata Touré-Bâ".
    placement_withdraw(placement=placement, user=None, reason="Raisons familiales")
    waiting = set(OutgoingEmail.objects.values_list("pk", flat=True)) - before
    french = [e for e in OutgoingEmail.objects.filter(pk__in=waiting) if "retrait" in e.body]
    assert french and all(e.status == "queued" and "d’Aïssata Touré-Bâ" in e.body for e in french)
    named = [e for e in OutgoingEmail.objects.all() if "Touré-Bâ" in _texts(e)]
    assert len(named) >= 6 and any(e.headers == {"Content-Language": "es"} for e in named)

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_anonymise(volunteer=volunteer, user=None)

    for email in OutgoingEmail.objects.all():
        text = _texts(email)
        assert "Aïssata" not in text and "Touré" not in text, text
        assert "d’Volontaire" not in text
    for email in named:
        email.refresh_from_db()
        label = {"fr": "Volontaire anonymisé", "es": "Voluntario anonimizado"}
        assert label[email.headers["Content-Language"]] in email.subject
    assert {e.status for e in OutgoingEmail.objects.filter(pk__in=sent)} == {"done"}
    # The other volunteer's notices are left as they were.
    assert OutgoingEmail.objects.filter(subject__contains="Kossi Agbo").exists()
    # What was waiting goes out, without the name.
    mail.outbox.clear()
    for pk in waiting:
        assert outbox.email_send(pk).sent
    assert len(mail.outbox) == len(waiting)
    assert all("Touré" not in m.subject + m.body for m in mail.outbox)
    assert any("de Volontaire anonymisé" in m.body for m in mail.outbox)


def test_the_e_mails_to_the_person_lose_address_and_text_and_wait_no_more(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        placement = completed_placement(email="aissata@example.org", **NAME)
        questionnaires_send()  # the invitation, sent: "Bonjour Aïssata, … <personal link>"
    invitation = OutgoingEmail.objects.get(to=["aissata@example.org"])
    assert invitation.status == "done" and "Bonjour Aïssata" in invitation.body
    # The reminder, recorded but not sent yet.
    questionnaires_send(now=timezone.now() + datetime.timedelta(days=15))
    reminder = OutgoingEmail.objects.get(to=["aissata@example.org"], status="queued")

    volunteer_anonymise(volunteer=placement.volunteer, user=None)

    invitation.refresh_from_db()
    reminder.refresh_from_db()
    assert (invitation.status, invitation.to, invitation.body) == ("done", [], "")
    assert (reminder.status, reminder.to, reminder.body) == ("failed", [], "")
    assert "anonymised" in reminder.last_error
    assert not outbox.email_send(reminder.pk).claimed  # never sent
    assert not any("aissata" in str(e.to) for e in OutgoingEmail.objects.all())
    assert not any("Aïssata" in _texts(e) for e in OutgoingEmail.objects.all())


def test_the_weekly_alerts_naming_the_volunteer_name_no_one():
    """A digest lists the late pre-departure items of several volunteers: the anonymised one's
    name goes, the others' stay."""
    mission = make_mission()
    for fields in (NAME, {"first_name": "Kossi", "last_name": "Agbo"}):
        volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date, **fields)
        placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
        placement_confirm(placement=placement, user=None)
    OutgoingEmail.objects.all().delete()  # the notices of the agreement and the placements
    assert alert_digests_send(today=datetime.date(2017, 11, 20))
    digests = list(OutgoingEmail.objects.all())
    assert digests and all("Touré-Bâ" in e.body and "Kossi Agbo" in e.body for e in digests)

    volunteer_anonymise(volunteer=Volunteer.objects.get(last_name="Touré-Bâ"), user=None)

    for email in OutgoingEmail.objects.all():
        assert "Touré" not in email.body and "Aïssata" not in email.body
        assert "Volontaire anonymisé" in email.body and "Kossi Agbo" in email.body
