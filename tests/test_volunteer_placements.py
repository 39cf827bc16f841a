"""A volunteer's page lists their placements (a gap the first walk found): each mission, its
host agency, dates and status, linked to the mission's page, in the same queries for one
placement or three, and only those the reader may see."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from missions.services import placement_confirm, placement_nominate
from tests.factories import (
    MembershipFactory,
    approved_agreement,
    eligible_volunteer,
    make_mission,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_the_volunteer_page_lists_their_placements_in_the_same_queries(client):
    first = make_mission(start=D(2018, 1, 1), title="Appui à l’école de Kara")
    volunteer = eligible_volunteer(first.quota.sending)
    client.force_login(MembershipFactory(agency=first.quota.sending, role="officer").user)
    url = reverse("volunteers:detail", args=[volunteer.pk])
    page = client.get(url).content.decode()
    assert "Aucune affectation pour l’instant." in page

    placement = placement_nominate(mission=first, volunteer=volunteer, user=None)
    placement_confirm(placement=placement, user=manager_of(first.quota.receiving))
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert "Appui à l’école de Kara" in page and first.quota.receiving.acronym in page
    assert reverse("missions:detail", args=[first.pk]) in page
    assert "Confirmé par l’agence d’accueil" in page
    later = approved_agreement(
        party_a=first.quota.sending, party_b=first.quota.receiving, quotas=[(2019, "ab", 2)]
    ).quotas.get()
    for quota, start, title in (
        (first.quota, D(2018, 7, 1), "Santé à Sokodé"),
        (later, D(2019, 1, 1), "Forêts à Dapaong"),
    ):
        mission = make_mission(quota=quota, places=2, start=start, title=title)
        placement_nominate(mission=mission, volunteer=volunteer, user=None)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert "Santé à Sokodé" in page and "Forêts à Dapaong" in page
    # Latest mission first.
    assert page.index("Forêts à Dapaong") < page.index("Santé à Sokodé") < page.index("Kara")
    assert len(three) == len(one)
