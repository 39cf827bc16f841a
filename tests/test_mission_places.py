"""A mission offers no more places than its quota has (a known gap: a mission of ten places
under a quota of four was accepted, and could never be filled)."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from missions.models import Mission
from missions.services import mission_update
from tests.factories import approved_agreement, make_mission

pytestmark = pytest.mark.django_db


def test_a_mission_cannot_offer_more_places_than_its_quota():
    quota = approved_agreement(quotas=[(2018, "ab", 4), (2018, "ba", 2)]).quotas.get(places=4)
    with pytest.raises(DomainError) as refused:
        make_mission(quota=quota, places=5)
    assert refused.value.field == "places"
    assert "a 4 places" in refused.value.message and "ne peut pas en offrir plus" in (
        refused.value.message
    )
    assert not Mission.objects.exists()
    mission = make_mission(quota=quota, places=4)
    mission.places = 5
    with pytest.raises(DomainError):
        mission_update(mission=mission, user=None)
    assert Mission.objects.get(pk=mission.pk).places == 4


def test_the_admin_refuses_it_too(admin_client):
    mission = make_mission(places=2)
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["places"] = 9
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "ne peut pas en offrir plus" in response.content.decode()
    assert Mission.objects.get(pk=mission.pk).places == 2
