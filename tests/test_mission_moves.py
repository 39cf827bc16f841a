"""A mission edited after volunteers were placed on it: new dates must still suit them (free,
eligible on the new start), their checklists follow the new start, and more places do not
open it again under a full quota."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from missions.checklist import ChecklistItem
from missions.models import Mission
from missions.services import add_months, mission_update, placement_confirm, placement_nominate
from tests.factories import approved_agreement, eligible_volunteer, make_mission, manager_of

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def confirm(mission, volunteer):
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=manager_of(mission.quota.receiving))


def move(mission, start: D, months: int = 6) -> None:
    mission.start_date = start
    mission.end_date = add_months(start, months) - datetime.timedelta(days=1)
    mission_update(mission=mission, user=None)


def dates_of(mission) -> tuple[D, D]:
    mission.refresh_from_db()
    return mission.start_date, mission.end_date


def test_new_dates_overlapping_another_placement_of_a_volunteer_are_refused():
    first = make_mission(start=D(2018, 1, 1))
    second = make_mission(quota=first.quota, start=D(2018, 7, 1))
    volunteer = eligible_volunteer(first.quota.sending)
    confirm(first, volunteer)
    confirm(second, volunteer)
    with pytest.raises(DomainError, match="ne conviennent pas") as refused:
        move(second, D(2018, 3, 1))
    assert "chevauche" in refused.value.message and refused.value.field == "start_date"
    assert dates_of(second) == (D(2018, 7, 1), D(2018, 12, 31))
    move(second, D(2018, 8, 1))  # still clear of the first: accepted
    assert dates_of(second) == (D(2018, 8, 1), D(2019, 1, 31))


def test_a_later_start_at_which_the_volunteer_is_too_old_is_refused():
    mission = make_mission(start=D(2018, 1, 1))
    # 25 on 1 January 2018, 26 from 1 June.
    volunteer = eligible_volunteer(mission.quota.sending)
    volunteer.birth_date = D(1992, 6, 1)
    volunteer.save()
    confirm(mission, volunteer)
    with pytest.raises(DomainError, match="pas éligible"):
        move(mission, D(2018, 7, 1))
    assert dates_of(mission)[0] == D(2018, 1, 1)


def test_the_checklist_follows_the_new_start():
    mission = make_mission(start=D(2018, 1, 1))
    placement = confirm(mission, eligible_volunteer(mission.quota.sending))
    move(mission, D(2018, 5, 1))
    passport = ChecklistItem.objects.get(placement=placement, kind="passport")
    training = ChecklistItem.objects.get(placement=placement, kind="training")
    assert (passport.due_date, training.due_date) == (D(2018, 1, 1), D(2018, 4, 17))


def test_more_places_do_not_open_a_mission_again_under_a_full_quota():
    agreement = approved_agreement(quotas=[(2018, "ab", 2), (2018, "ba", 2)])
    quota = agreement.quotas.get(cohort=2018, sending=agreement.party_a)
    first = make_mission(quota=quota, start=D(2018, 1, 1), places=1)
    second = make_mission(quota=quota, start=D(2018, 1, 1), places=1)
    for mission in (first, second):
        confirm(mission, eligible_volunteer(quota.sending))
    first.refresh_from_db()
    assert first.status == Mission.Status.FILLED
    first.places = 2
    with pytest.raises(DomainError, match="est plein") as refused:
        mission_update(mission=first, user=None)
    assert refused.value.field == "places"
    first.refresh_from_db()
    assert (first.status, first.places) == (Mission.Status.FILLED, 1)


def test_a_nomination_left_once_the_mission_is_full_is_offered_no_confirmation(client):
    """Found by a walk: the other nominations kept their "Confirmer" button once the mission
    was full, and the click was refused."""
    mission = make_mission(start=D(2018, 1, 1), places=1)
    first, second = (eligible_volunteer(mission.quota.sending) for _ in range(2))
    waiting = placement_nominate(mission=mission, volunteer=second, user=None)
    client.force_login(manager_of(mission.quota.receiving))
    url = reverse("missions:detail", args=[mission.pk])
    confirm_url = reverse("missions:confirm", args=[waiting.pk])
    assert confirm_url in client.get(url).content.decode()
    confirm(mission, first)
    page = client.get(url).content.decode()
    assert confirm_url not in page and "Plus de place pour la confirmer" in page
