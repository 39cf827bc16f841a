"""The messages about a volunteer need no participle agreeing with them (walk 6, finding 15:
"Aïssata Touré-Bâ proposé"): each names the act, "Proposition d’Aïssata Touré-Bâ envoyée"."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import eligible_volunteer, make_mission, manager_of
from tests.test_placement_consistency import volunteer_form_data

pytestmark = pytest.mark.django_db


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def aissata():
    mission = make_mission(start=datetime.date(2018, 1, 1))
    volunteer = eligible_volunteer(
        mission.quota.sending, first_name="Aïssata", last_name="Touré-Bâ", sex="female"
    )
    return mission, volunteer


def test_the_nomination_message_names_the_nomination(client, aissata):
    mission, volunteer = aissata
    client.force_login(manager_of(mission.quota.sending))
    url = reverse("missions:nominate", args=[mission.pk])
    response = client.post(url, {"volunteer": volunteer.pk})
    assert response.status_code == 302
    assert said(response) == [
        "Proposition d’Aïssata Touré-Bâ envoyée : l’agence d’accueil est invitée à confirmer."
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Retrait d’Aïssata Touré-Bâ enregistré : plus aucune proposition n’est possible."),
        ("es", "Retirada de Aïssata Touré-Bâ registrada: ya no es posible ninguna propuesta."),
    ],
)
def test_the_withdrawal_message_names_the_withdrawal(client, aissata, language, text):
    _mission, volunteer = aissata
    client.force_login(manager_of(volunteer.sending_agency))
    url = reverse("volunteers:withdraw", args=[volunteer.pk])
    response = client.post(url, {"reason": "Études"}, HTTP_ACCEPT_LANGUAGE=language)
    assert said(response) == [text]


def test_the_saved_message_names_the_record(client, aissata):
    _mission, volunteer = aissata
    client.force_login(manager_of(volunteer.sending_agency))
    url = reverse("volunteers:edit", args=[volunteer.pk])
    response = client.post(url, volunteer_form_data(volunteer, phone="+223 70 00 00 00"))
    assert response.status_code == 302
    assert said(response) == ["La fiche d’Aïssata Touré-Bâ est enregistrée."]
