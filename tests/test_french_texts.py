"""French texts (issue 18, point 7): elision after "de", plurals, neutral phrasing, the space
before ":", the PDF footer, and the site's name in the password-reset e-mail."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from core.texts import of, of_agency
from exchanges.models import Agreement
from missions.models import FollowUp
from missions.services import (
    placement_complete,
    placement_confirm,
    placement_deploy,
    placement_nominate,
)
from tests.factories import MembershipFactory, checklist_done, eligible_volunteer, make_mission

pytestmark = pytest.mark.django_db


def test_de_elides_before_a_vowel_or_h_and_agencies_take_their_article():
    assert of("Akouvi Amégah", "fr") == "d’Akouvi Amégah"
    assert of("Éléonore", "fr") == "d’Éléonore" and of("Hamidou", "fr") == "d’Hamidou"
    assert of("Kossi", "fr") == "de Kossi"
    assert of_agency("ANVT", "fr") == "de l’ANVT" and of_agency("ASC", "fr") == "de l’ASC"
    assert of_agency("CNPV", "fr") == "de CNPV"
    assert of("Akouvi", "en") == "of Akouvi" and of_agency("ANVT", "en") == "of ANVT"
    # Spanish says "de", without elision: "Convenios de ANVT", never "Convenios of ANVT".
    assert of("Akouvi", "es") == "de Akouvi" and of_agency("ANVT", "es") == "de ANVT"


def test_the_agreement_page_approves_on_behalf_of_l_anvt_and_counts_places_in_the_plural(
    client, login, demo
):
    with translation.override("fr"):
        rendered = Template(
            "{% load i18n texts %}{% for n in counts %}"
            "{% blocktranslate with places=n|stringformat:'+d' count counter=n|absolute %}"
            "{{ places }} place{% plural %}{{ places }} places{% endblocktranslate %}|"
            "{% endfor %}"
        ).render(Context({"counts": [1, 2, -1, -3, 0]}))
    assert rendered == "+1 place|+2 places|-1 place|-3 places|+0 place|"
    login("anvt-manager")
    page = client.get(reverse("reports:index")).content.decode()
    assert "Conventions de l’ANVT" in page


def test_a_confirmed_nomination_is_said_without_a_gender():
    with translation.override("fr"):
        text = translation.gettext("Nomination confirmed: %(volunteer)s.") % {"volunteer": "Akouvi"}
    assert text == "Proposition confirmée : Akouvi."


def test_statuses_agree_and_french_puts_a_space_before_the_colon():
    with translation.override("fr"):
        assert str(FollowUp.Situation.EMPLOYED.label)  # unchanged choices
        from evaluations.models import Finding

        assert str(Finding.FollowUp.DONE.label) == "Réalisée"
        assert translation.gettext("Period covered:") == "Période couverte :"
        assert translation.gettext("Page") == "Page"  # the PDF footer: "Page 2 / 4"


def test_the_password_reset_email_is_signed_with_the_site_name(client, settings, demo):
    settings.SITE_NAME = "Réciprocité VIR"
    user = get_user_model().objects.get(username="anvt-manager")
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": user.email})
    message = mail.outbox[0]
    assert "L’équipe Réciprocité VIR" in message.body
    assert "testserver" not in message.subject and "Réciprocité VIR" in message.subject


def test_the_follow_up_situation_has_no_default_and_the_dates_are_labelled(client):
    mission = make_mission()
    placement = placement_nominate(
        mission=mission, volunteer=eligible_volunteer(mission.quota.sending), user=None
    )
    placement_confirm(placement=placement, user=None)
    client.force_login(MembershipFactory(agency=mission.quota.sending, role="officer").user)
    page = client.get(reverse("missions:detail", args=[mission.pk])).content.decode()
    label = re.search(rf'<label\s+for="id_p{placement.pk}_departure_date"[^>]*>\s*([^<]+)', page)
    assert label and label.group(1).strip() == "Date de départ"
    checklist_done(placement)
    placement_deploy(placement=placement, user=None, departure_date=mission.start_date)
    page = client.get(reverse("missions:detail", args=[mission.pk])).content.decode()
    label = re.search(rf'<label\s+for="id_p{placement.pk}_return_date"[^>]*>\s*([^<]+)', page)
    assert label and label.group(1).strip() == "Date de retour"
    placement_complete(placement=placement, user=None, return_date=mission.end_date)
    page = client.get(reverse("missions:detail", args=[mission.pk])).content.decode()
    assert '<option value="" selected>— Choisir la situation —</option>' in page
    # The server refuses a follow-up without a situation.
    follow_up = placement.follow_ups.get(due_month=3)
    client.post(reverse("missions:follow_up", args=[follow_up.pk]), {"situation": ""})
    follow_up.refresh_from_db()
    assert follow_up.recorded_at is None


def test_the_irreversible_actions_ask_for_confirmation(client, login, demo):
    """The forms carry their question (the dialog itself: tests/test_browser_confirmations.py)."""
    login("anvt-manager")
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert 'data-confirm="Résilier la convention VIR-TG-ML-2017 ?' in page
    assert '<dialog id="confirm-dialog"' in page


def test_the_tokens_page_names_the_agency_with_its_article(client, login, demo):
    login("anvt-manager")
    page = client.get(reverse("api:tokens")).content.decode()
    assert "aux systèmes de l’ANVT d’utiliser" in page
