"""The end-of-mission questionnaire: sending, reminders, personal links, answers, language."""

import datetime
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agencies.rules import MANAGE_MISSIONS, notified_emails
from missions.models import Placement
from tests.factories import make_mission
from voice import links
from voice.models import FollowUpReminder, Questionnaire, QuestionnaireLink, QuestionnaireMessage
from voice.services import QUESTIONNAIRE_WINDOW, questionnaires_send
from voice.tasks import daily_questionnaires

from .voice_helpers import ANSWERS, completed_placement, send_and_get_token

# E-mails and the certificate's rendering run in-process, even with a broker configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _without_csrf(response) -> str:
    """The page without its CSRF token (different in every response)."""
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def test_it_invites_each_returned_volunteer_once_when_beat_fires_twice(
    django_capture_on_commit_callbacks,
):
    placement = completed_placement()
    with django_capture_on_commit_callbacks(execute=True):
        first = questionnaires_send()
        second = questionnaires_send()
    assert first["invitation"] == 1 and second["invitation"] == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["awa@example.org"]
    assert "/q/" in mail.outbox[0].body
    assert Questionnaire.objects.filter(placement=placement).count() == 1


def test_it_reminds_after_14_days_and_lastly_after_28_and_never_twice(
    django_capture_on_commit_callbacks,
):
    completed_placement()
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        questionnaires_send(now=start)
        assert questionnaires_send(now=start + datetime.timedelta(days=13))["reminder"] == 0
        assert questionnaires_send(now=start + datetime.timedelta(days=14))["reminder"] == 1
        assert questionnaires_send(now=start + datetime.timedelta(days=15))["reminder"] == 0
        assert questionnaires_send(now=start + datetime.timedelta(days=28))["last_reminder"] == 1
        again = questionnaires_send(now=start + datetime.timedelta(days=40))
    assert again == {"invitation": 0, "reminder": 0, "last_reminder": 0}
    kinds = list(QuestionnaireMessage.objects.values_list("kind", flat=True))
    assert kinds == ["invitation", "reminder", "last_reminder"]
    assert len(mail.outbox) == 3


def test_the_unique_message_guards_a_concurrent_run(django_capture_on_commit_callbacks):
    """Two runs that both saw no invitation: the second one's record fails and sends nothing."""
    completed_placement()
    with django_capture_on_commit_callbacks(execute=True):
        questionnaires_send()
    questionnaire = Questionnaire.objects.get()
    # As a concurrent run would see it: invited_at unknown.
    QuestionnaireMessage.objects.filter(questionnaire=questionnaire).update(
        sent_at=timezone.now() - datetime.timedelta(days=1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireMessage.objects.create(questionnaire=questionnaire, kind="invitation")
    assert len(mail.outbox) == 1


def test_a_submitted_questionnaire_is_not_reminded(django_capture_on_commit_callbacks, client):
    completed_placement()
    token = send_and_get_token(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("voice:answer", args=[token]), {**ANSWERS, "submit": "1"})
    later = timezone.now() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert questionnaires_send(now=later) == {
            "invitation": 0,
            "reminder": 0,
            "last_reminder": 0,
        }


def test_a_mission_ended_without_a_recorded_return_gets_a_questionnaire():
    placement = completed_placement(complete=False)
    last_day = datetime.datetime.combine(placement.mission.end_date, datetime.time(12))
    questionnaires_send(now=timezone.make_aware(last_day))
    assert not Questionnaire.objects.exists()  # the mission is still running on that day
    questionnaires_send()  # today, after its end
    assert Questionnaire.objects.filter(placement=placement).exists()


def test_a_mission_ended_long_ago_gets_no_questionnaire(django_capture_on_commit_callbacks):
    """History loaded or imported (returns of 2018, a volunteer still recorded deployed on a
    mission of 2018) is not written to years later; a return within the window is, even
    recorded late."""
    old = completed_placement(mission=make_mission(), email="old@example.org")
    forgotten = completed_placement(
        mission=make_mission(), email="forgotten@example.org", complete=False
    )
    on_the_edge = completed_placement(email="edge@example.org")
    back = timezone.localdate() - QUESTIONNAIRE_WINDOW
    Placement.objects.filter(pk=on_the_edge.pk).update(return_date=back)
    with django_capture_on_commit_callbacks(execute=True):
        sent = questionnaires_send()
    assert sent["invitation"] == 1 and [m.to for m in mail.outbox] == [["edge@example.org"]]
    assert not Questionnaire.objects.filter(placement__in=[old, forgotten]).exists()
    Placement.objects.filter(pk=on_the_edge.pk).update(return_date=back - datetime.timedelta(1))
    Questionnaire.objects.all().delete()
    questionnaires_send()
    assert not Questionnaire.objects.exists()  # a day older: outside the window


def test_only_the_hash_of_the_token_is_stored(django_capture_on_commit_callbacks):
    completed_placement()
    token = send_and_get_token(django_capture_on_commit_callbacks)
    stored = QuestionnaireLink.objects.get()
    assert stored.token_hash == links.token_hash(token) and token not in stored.token_hash


def test_the_link_opens_the_questionnaire_until_it_expires(
    django_capture_on_commit_callbacks, client
):
    completed_placement()
    token = send_and_get_token(django_capture_on_commit_callbacks)
    url = reverse("voice:answer", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "Questionnaire de fin de mission" in response.content.decode()
    QuestionnaireLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get(url)
    unknown = client.get(reverse("voice:answer", args=["x" * 43]))
    assert expired.status_code == unknown.status_code == 404
    # No enumeration: an expired link and an unknown one get the very same page.
    assert _without_csrf(expired) == _without_csrf(unknown)


def test_answers_are_a_draft_until_submitted_then_read_only(
    django_capture_on_commit_callbacks, client
):
    completed_placement()
    token = send_and_get_token(django_capture_on_commit_callbacks)
    url = reverse("voice:answer", args=[token])
    client.post(url, {"satisfaction": 3, "comments": "Premier jet", "save": "1"})
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.satisfaction == 3 and questionnaire.submitted_at is None
    # Submitting with questions unanswered is refused, nothing saved.
    response = client.post(url, {"satisfaction": 4, "submit": "1"})
    assert (
        response.status_code == 200
        and "Répondez à toutes les questions" in response.content.decode()
    )
    questionnaire.refresh_from_db()
    assert questionnaire.satisfaction == 3 and questionnaire.submitted_at is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**ANSWERS, "submit": "1"})
    assert response.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.submitted_at is not None and questionnaire.satisfaction == 5
    # Single use: a second submission changes nothing.
    response = client.post(url, {**ANSWERS, "satisfaction": 1, "submit": "1"}, follow=True)
    assert "déjà été envoyé" in response.content.decode()
    questionnaire.refresh_from_db()
    assert questionnaire.satisfaction == 5
    page = client.get(url).content.decode()
    assert '<form method="post" novalidate>' not in page and "Une expérience très riche" in page


def test_the_volunteer_chooses_the_language(django_capture_on_commit_callbacks, client):
    completed_placement()
    token = send_and_get_token(django_capture_on_commit_callbacks)
    assert "Votre mission" in mail.outbox[-1].subject  # French by default
    # The button is a verb ("Changer"), not the noun of the history tables ("Modification").
    french = client.get(reverse("voice:answer", args=[token])).content.decode()
    assert re.search(r"<button[^>]*>Changer</button>", french) and "Modification" not in french
    response = client.post(reverse("voice:language", args=[token]), {"language": "en"})
    assert response.status_code == 302
    assert Questionnaire.objects.get().language == "en"
    page = client.get(reverse("voice:answer", args=[token])).content.decode()
    assert "End-of-mission questionnaire" in page and "Overall satisfaction" in page
    # Reminders follow the choice.
    later = timezone.now() + datetime.timedelta(days=15)
    with django_capture_on_commit_callbacks(execute=True):
        questionnaires_send(now=later)
    assert mail.outbox[-1].subject.startswith("[Reciprocity] Reminder")  # SITE_NAME
    # A language the platform does not offer is refused.
    client.post(reverse("voice:language", args=[token]), {"language": "xx"})
    assert Questionnaire.objects.get().language == "en"


def test_guessing_links_is_stopped(django_capture_on_commit_callbacks, client, settings):
    settings.PUBLIC_MISSES_LIMIT = 3
    completed_placement()
    token = send_and_get_token(django_capture_on_commit_callbacks)
    for n in range(3):
        assert client.get(reverse("voice:answer", args=[f"guess{n}"])).status_code == 404
    assert client.get(reverse("voice:answer", args=["guess-more"])).status_code == 429
    # Past the limit even a real link is refused from that address: guessing cannot go on.
    assert client.get(reverse("voice:answer", args=[token])).status_code == 429
    other = client.get(reverse("voice:answer", args=[token]), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_the_daily_task_sends_once_when_beat_fires_twice(django_capture_on_commit_callbacks):
    completed_placement()
    # Back in 2018: its follow-ups are long due (and it is too old for a questionnaire).
    earlier = completed_placement(
        mission=make_mission(),
        email="earlier@example.org",
    )
    staff = notified_emails([earlier.quota.sending_id], MANAGE_MISSIONS)
    with django_capture_on_commit_callbacks(execute=True):
        daily_questionnaires.delay()
        daily_questionnaires.delay()
    assert QuestionnaireMessage.objects.count() == 1
    assert [m.to for m in mail.outbox].count(["awa@example.org"]) == 1
    # The three follow-ups (long due) are reminded to the sending agency once each.
    assert FollowUpReminder.objects.count() == 3
    assert staff and len(mail.outbox) == 1 + 3 * len(staff)
