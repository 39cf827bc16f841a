"""A mission's own rules: the host's structure, a theme of the agreement, dates and duration."""

import datetime

import pytest
from django.utils import translation

from core.errors import DomainError
from missions.services import mission_update
from tests.factories import HostStructureFactory, ThemeFactory, approved_agreement, make_mission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Messages are asserted in French, whatever language an earlier test left active."""
    with translation.override("fr"):
        yield


@pytest.fixture
def quota():
    agreement = approved_agreement()
    return agreement.quotas.get(cohort=2017, sending=agreement.party_a)


def refused(**fields) -> str:
    with pytest.raises(DomainError) as exc:
        make_mission(**fields)
    return exc.value.message


def test_the_host_structure_belongs_to_the_host_agency(quota):
    other = HostStructureFactory(agency=quota.sending)
    assert "structure d’accueil doit relever de" in refused(quota=quota, host_structure=other)


def test_the_theme_is_one_of_the_agreement(quota):
    quota.agreement.themes.set([ThemeFactory(code="health")])
    message = refused(quota=quota, theme=ThemeFactory(code="ecology"))
    assert "Le thème doit être l’un de ceux de l’accord" in message


def test_the_dates_fall_within_the_agreement(quota):
    message = refused(quota=quota, start=datetime.date(2030, 10, 1))
    assert "doivent tomber dans la durée de l’accord" in message


def test_the_duration_follows_the_agreement_and_the_quota(quota):
    assert "dure de 6 à 12 mois" in refused(quota=quota, months=3)
    assert "dure de 6 à 12 mois" in refused(quota=quota, months=13)
    assert make_mission(quota=quota, months=12).places == 4
    quota.duration_months = 9
    quota.save()
    assert "dure de 6 à 9 mois" in refused(quota=quota, months=10)


def test_a_mission_has_at_least_one_place(quota):
    assert "au moins une place" in refused(quota=quota, places=0)


def test_places_cannot_fall_below_the_places_taken(quota):
    from missions.services import placement_confirm, placement_nominate
    from tests.factories import eligible_volunteer

    mission = make_mission(quota=quota, places=2)
    for _ in range(2):
        placement = placement_nominate(
            mission=mission, volunteer=eligible_volunteer(quota.sending), user=None
        )
        placement_confirm(placement=placement, user=None)
    mission.places = 1
    with pytest.raises(DomainError) as exc:
        mission_update(mission=mission, user=None)
    assert "2 places sont déjà prises" in exc.value.message
