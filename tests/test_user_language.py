"""A user's language is a preference of their account (issue 22, point 1): the pages after
login, the e-mails sent to them and the PDFs asked for by default follow it, whatever the
language of whoever caused them."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from core.languages import language_set, languages_of, preferred_language
from core.models import OutgoingEmail, UserPreference
from dashboard.alerts import alerts_for
from dashboard.models import AlertAcknowledgement
from dashboard.services import alert_digests_send
from evaluations.forms import ReportRequestForm
from evaluations.models import Evaluation
from evaluations.reports import render_evaluation_html
from evaluations.services import evaluation_new_version, evaluation_publish
from missions.services import placement_confirm, placement_nominate
from tests.factories import MembershipFactory, UserFactory, eligible_volunteer, make_mission

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2017, 11, 20)  # the missions of make_mission start on 2018-01-01


def test_without_a_preference_a_user_gets_the_default_language():
    user = UserFactory()
    assert preferred_language(user) == "fr"
    assert languages_of([user.pk]) == {user.pk: "fr"}


def test_the_database_refuses_an_unknown_language():
    with pytest.raises(IntegrityError):
        UserPreference.objects.create(user=UserFactory(), language="xx")


def test_language_set_refuses_an_unknown_language_and_saves_nothing():
    user = UserFactory()
    with pytest.raises(ValueError):
        language_set(user=user, language="de")
    assert not UserPreference.objects.exists()


def test_after_login_the_pages_are_in_the_users_language_whatever_the_browser_says(client):
    user = UserFactory()
    language_set(user=user, language="es")
    client.force_login(user)
    response = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "es"
    assert 'lang="es"' in response.content.decode()


def test_choosing_a_language_while_logged_in_is_remembered_for_the_next_login(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=user).language == "en"
    client.logout()
    client.cookies.clear()
    client.force_login(user)
    assert client.get(reverse("password_change"))["Content-Language"] == "en"


def test_choosing_an_unknown_language_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not UserPreference.objects.exists()


def test_an_anonymous_choice_is_only_a_cookie(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302 and not UserPreference.objects.exists()
    assert client.get(reverse("login"))["Content-Language"] == "es"


def _confirmed(mission):
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=None)


def _digest_readers():
    """The sending agency of a confirmed placement (it has alerts) and three of its officers,
    reading in Spanish, English and French."""
    sender = _confirmed(make_mission()).quota.sending
    readers = [MembershipFactory(agency=sender, role="officer").user for _ in range(3)]
    for user, language in zip(readers, ("es", "en"), strict=False):
        language_set(user=user, language=language)
    return sender, readers


def _digests_to(readers):
    by_recipient = {e.to[0]: e for e in OutgoingEmail.objects.all()}
    return [by_recipient[u.email] for u in readers]


def test_two_recipients_of_one_digest_get_it_each_in_their_language():
    _sender, readers = _digest_readers()
    OutgoingEmail.objects.all().delete()
    with translation.override("fr"):  # the worker's language does not matter
        alert_digests_send(today=TODAY)
    es, en, fr = _digests_to(readers)
    assert "alertas esta semana" in es.subject and "Pasaporte" in es.body
    assert "alerts this week" in en.subject and "Passport" in en.body
    assert "Alertes de la semaine" in fr.subject and "Passeport" in fr.body


def test_a_digest_of_one_alert_says_so_in_the_singular_and_the_french_colon_has_its_space():
    """Walk 7, findings 3 and 7: "1 alertas esta semana" and "Recommandation en retard: …"."""
    sender, readers = _digest_readers()
    alerts = alerts_for(agency=sender, today=TODAY)
    assert len(alerts) > 1
    for alert in alerts[1:]:  # one alert is left
        AlertAcknowledgement.objects.create(agency=sender, kind=alert.kind, key=alert.key)
    OutgoingEmail.objects.all().delete()
    with translation.override("fr"):
        alert_digests_send(today=TODAY)
        label = alerts_for(agency=sender, today=TODAY)[0].label
    es, en, fr = _digests_to(readers)
    assert es.subject.endswith(" 1 alerta esta semana")
    assert en.subject.endswith(" 1 alert this week")
    assert fr.subject.endswith(" Alertes de la semaine\u00a0: 1")
    assert f"- {label}\u00a0: " in fr.body and f"{label}:" not in fr.body
    assert ": " in en.body and "\u00a0:" not in en.body + es.body


def test_a_nomination_reaches_each_host_member_in_their_language():
    mission = make_mission()
    host = mission.quota.receiving
    spanish = MembershipFactory(agency=host, role="manager").user
    french = MembershipFactory(agency=host, role="officer").user
    language_set(user=spanish, language="es")
    OutgoingEmail.objects.all().delete()
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    with translation.override("en"):  # the nominator's page language does not matter
        placement_nominate(mission=mission, volunteer=volunteer, user=None)
    by_recipient = {e.to[0]: e for e in OutgoingEmail.objects.all()}
    assert "Propuesta" in by_recipient[spanish.email].subject
    assert "Proposition" in by_recipient[french.email].subject
    assert {len(e.to) for e in by_recipient.values()} == {1}


def test_the_report_forms_offer_spanish_and_default_to_the_readers_language():
    with translation.override("es"):
        form = ReportRequestForm()
    assert form.fields["language"].initial == "es"
    assert "es" in dict(form.fields["language"].choices)


def test_a_published_evaluation_report_defaults_to_its_publishers_language(demo):
    evaluation = Evaluation.objects.filter(status="published").first()
    html = render_evaluation_html(evaluation, "es")
    assert 'lang="es"' in html and "Informe de evaluación" in html
    assert 'aria-label="Notas"' in html  # the scores chart's name, in Spanish
    spanish = get_user_model().objects.get(
        memberships__agency=evaluation.agency, memberships__role="manager"
    )
    language_set(user=spanish, language="es")
    draft = evaluation_new_version(evaluation=evaluation, user=spanish)
    report = evaluation_publish(evaluation=draft, user=spanish)
    assert report.language == "es"
