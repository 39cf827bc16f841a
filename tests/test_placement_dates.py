"""Departure and return dates that make sense (issue 17, point 4): each rule refuses with its
message in the service and on its field in the mission page's form; an early return needs a
reason and ends that placement only; follow-ups fall due from the real return."""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from missions.models import FollowUp, Mission, Placement
from missions.services import (
    placement_complete,
    placement_confirm,
    placement_deploy,
    placement_nominate,
)
from tests.factories import checklist_done, eligible_volunteer, make_mission, manager_of

pytestmark = pytest.mark.django_db

d = datetime.date
START, END = d(2018, 1, 1), d(2018, 6, 30)  # make_mission: six months; the agreement: 6 to 12


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.fixture
def mission():
    return make_mission(start=START, places=2)


def confirmed(mission):
    volunteer = eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement = placement_confirm(placement=placement, user=None)
    checklist_done(placement)  # the pre-departure checklist is not what these tests are about
    return placement


def deployed(mission, on=START):
    return placement_deploy(placement=confirmed(mission), user=None, departure_date=on)


def refused(run) -> DomainError:
    with pytest.raises(DomainError) as exc:
        run()
    return exc.value


# --- Departure ------------------------------------------------------------------------------


def test_a_departure_years_before_the_mission_is_refused(mission):
    placement = confirmed(mission)
    error = refused(
        lambda: placement_deploy(placement=placement, user=None, departure_date=d(2010, 1, 1))
    )
    assert error.field == "departure_date"
    assert "Le départ ne peut pas être avant le 02/12/2017" in error.message
    placement.refresh_from_db()
    assert placement.status == "confirmed" and placement.departure_date is None


def test_a_departure_within_the_tolerance_before_the_start_is_accepted(mission):
    placement = confirmed(mission)
    too_early = START - datetime.timedelta(days=31)
    refused(lambda: placement_deploy(placement=placement, user=None, departure_date=too_early))
    placement_deploy(
        placement=placement, user=None, departure_date=START - datetime.timedelta(days=30)
    )
    placement.refresh_from_db()
    assert placement.status == "deployed"


def test_a_departure_after_the_mission_end_is_refused(mission):
    placement = confirmed(mission)
    error = refused(
        lambda: placement_deploy(
            placement=placement, user=None, departure_date=END + datetime.timedelta(days=1)
        )
    )
    assert "après la fin de la mission, le 30/06/2018" in error.message
    placement_deploy(placement=placement, user=None, departure_date=END)


@override_settings(PLACEMENT_DATE_TOLERANCE_DAYS=0)
def test_the_tolerance_is_a_setting(mission):
    placement = confirmed(mission)
    refused(
        lambda: placement_deploy(
            placement=placement, user=None, departure_date=START - datetime.timedelta(days=1)
        )
    )


# --- Return ---------------------------------------------------------------------------------


def test_a_return_on_or_before_the_departure_is_refused(mission):
    placement = deployed(mission)
    for day in (START, START - datetime.timedelta(days=1)):
        error = refused(
            lambda day=day: placement_complete(placement=placement, user=None, return_date=day)
        )
        assert error.field == "return_date"
        assert "Le retour doit suivre le départ, le 01/01/2018" in error.message


def test_a_return_after_the_mission_end_and_its_tolerance_is_refused(mission):
    placement = deployed(mission)
    error = refused(
        lambda: placement_complete(
            placement=placement, user=None, return_date=END + datetime.timedelta(days=31)
        )
    )
    assert "Le retour ne peut pas être après le 30/07/2018" in error.message
    placement_complete(
        placement=placement, user=None, return_date=END + datetime.timedelta(days=30)
    )
    placement.refresh_from_db()
    assert placement.status == "completed" and placement.early_return_reason == ""


def test_a_return_one_month_after_departure_needs_a_reason(mission):
    placement = deployed(mission)
    back = d(2018, 2, 1)
    error = refused(lambda: placement_complete(placement=placement, user=None, return_date=back))
    assert error.field == "early_return_reason"
    assert "Un retour avant le 30/06/2018 est anticipé" in error.message
    assert "6 mois" in error.message
    placement.refresh_from_db()
    assert placement.status == "deployed"
    placement_complete(
        placement=placement, user=None, return_date=back, early_return_reason="health"
    )
    placement.refresh_from_db()
    assert (placement.status, placement.return_date, placement.early_return_reason) == (
        "completed",
        back,
        "health",
    )


def test_an_early_return_for_another_reason_describes_it(mission):
    placement = deployed(mission)
    back = d(2018, 3, 15)
    error = refused(
        lambda: placement_complete(
            placement=placement, user=None, return_date=back, early_return_reason="other"
        )
    )
    assert error.field == "early_return_note"
    placement_complete(
        placement=placement,
        user=None,
        return_date=back,
        early_return_reason="other",
        early_return_note=" Famille ",
    )
    placement.refresh_from_db()
    assert (placement.early_return_reason, placement.early_return_note) == ("other", "Famille")


def test_the_shortest_duration_counts_from_the_real_departure(mission):
    """Left on 2 December, 30 days before the start: back on 1 June, six months were done and
    the end is within the tolerance, so the return is on time; on 31 May it is early."""
    placement = deployed(mission, on=START - datetime.timedelta(days=30))
    error = refused(
        lambda: placement_complete(placement=placement, user=None, return_date=d(2018, 5, 31))
    )
    assert "Un retour avant le 01/06/2018 est anticipé" in error.message
    placement_complete(
        placement=placement, user=None, return_date=d(2018, 6, 1), early_return_reason="health"
    )
    placement.refresh_from_db()
    assert placement.early_return_reason == ""  # not early: nothing to explain


def test_the_follow_ups_fall_due_from_the_real_return(mission):
    placement = deployed(mission)
    placement_complete(
        placement=placement, user=None, return_date=d(2018, 2, 10), early_return_reason="personal"
    )
    assert list(
        FollowUp.objects.filter(placement=placement).values_list("due_month", "due_date")
    ) == [(3, d(2018, 5, 10)), (6, d(2018, 8, 10)), (12, d(2019, 2, 10))]


def test_an_early_return_frees_nothing_else_and_the_mission_stays_open(mission):
    first = deployed(mission)
    placement_complete(
        placement=first, user=None, return_date=d(2018, 2, 1), early_return_reason="repatriation"
    )
    mission.refresh_from_db()
    assert mission.status == Mission.Status.OPEN  # its second place is still there
    second = deployed(mission)
    mission.refresh_from_db()
    assert mission.status == Mission.Status.IN_PROGRESS
    placement_complete(placement=second, user=None, return_date=END)
    mission.refresh_from_db()
    assert mission.status == Mission.Status.COMPLETED
    first.refresh_from_db()
    assert first.status == "completed"  # the early return stays on record


def test_a_mission_with_a_confirmed_place_left_is_not_finished(mission):
    first, _second = confirmed(mission), confirmed(mission)
    placement_deploy(placement=first, user=None, departure_date=START)
    placement_complete(placement=first, user=None, return_date=END)
    mission.refresh_from_db()
    assert mission.status == Mission.Status.FILLED


# --- The page -------------------------------------------------------------------------------


@pytest.fixture
def recorder(mission):
    return manager_of(mission.quota.sending)


def test_the_page_labels_the_date_inputs(client, mission, recorder):
    placement = confirmed(mission)
    client.force_login(recorder)
    page = client.get(mission.get_absolute_url()).content.decode()
    label = rf'<label\s+for="id_p{placement.pk}_departure_date"[^>]*>\s*Date de départ'
    assert re.search(label, page)
    assert f'id="id_p{placement.pk}_departure_date"' in page
    assert "Du 02/12/2017 au 30/06/2018." in page


def test_a_refused_departure_is_shown_on_its_field(client, mission, recorder):
    placement = confirmed(mission)
    client.force_login(recorder)
    url = reverse("missions:deploy", args=[placement.pk])
    response = client.post(url, {"departure_date": "2020-01-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page and "après la fin de la mission, le 30/06/2018" in page
    assert 'value="2020-01-01"' in page  # what was typed stays
    placement.refresh_from_db()
    assert placement.status == "confirmed"
    response = client.post(url, {"departure_date": "2018-01-03"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.status, placement.departure_date) == ("deployed", d(2018, 1, 3))


def test_an_early_return_without_a_reason_is_refused_on_the_page(client, mission, recorder):
    placement = deployed(mission)
    client.force_login(recorder)
    url = reverse("missions:complete", args=[placement.pk])
    response = client.post(url, {"return_date": "2018-02-01"})
    assert response.status_code == 200
    assert "est anticipé" in response.content.decode()
    placement.refresh_from_db()
    assert placement.status == "deployed"
    response = client.post(
        url,
        {
            "return_date": "2018-02-01",
            "early_return_reason": "interruption",
            "early_return_note": "Structure fermée",
        },
    )
    assert response.status_code == 302
    page = client.get(mission.get_absolute_url()).content.decode()
    assert "Retour anticipé" in page and "Structure fermée" in page


def test_a_step_on_a_placement_in_another_state_is_refused_with_a_message(
    client, mission, recorder
):
    placement = confirmed(mission)
    client.force_login(recorder)
    response = client.post(
        reverse("missions:complete", args=[placement.pk]),
        {"return_date": "2018-06-30"},
        follow=True,
    )
    assert "cette étape n’est pas possible" in response.content.decode()
    assert Placement.objects.get(pk=placement.pk).status == "confirmed"


def test_the_demo_has_an_early_return_with_its_reason(client, login, demo):
    placement = Placement.objects.get(early_return_reason=Placement.EarlyReturn.HEALTH)
    assert placement.mission.title == "Solidarité internationale à Nantes"
    assert placement.return_date < placement.mission.end_date
    assert placement.follow_ups.get(due_month=3).due_date == d(2015, 10, 10)
    login("anvt-manager")
    page = client.get(placement.mission.get_absolute_url()).content.decode()
    assert "Retour anticipé" in page and "Santé" in page and "hospitalisation" in page


def test_the_departure_help_offers_no_date_still_to_come(client):
    """Found by a walk: the help gave the mission's whole window even where every date of it
    was in the future, and the service refuses a departure after today."""
    next_year = datetime.date.today().year + 1
    mission = make_mission(start=datetime.date(next_year, 3, 1))
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement_confirm(placement=placement, user=None)
    client.force_login(manager_of(mission.quota.sending))
    page = client.get(mission.get_absolute_url()).content.decode()
    assert f"S’enregistre une fois le volontaire parti, à partir du 30/01/{next_year}." in page
    assert "au 31/08/" not in page
