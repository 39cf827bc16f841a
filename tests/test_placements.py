"""Placements: each rule refuses with its message, at nomination and at confirmation."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from core.errors import DomainError
from exchanges.models import Quota
from exchanges.selectors import quota_figures
from exchanges.services import agreement_suspend
from missions.models import FollowUp, Mission, Placement
from missions.services import (
    placement_cancel,
    placement_complete,
    placement_confirm,
    placement_decline,
    placement_deploy,
    placement_nominate,
    placement_withdraw,
)
from tests.factories import (
    AgencyFactory,
    ExperienceFactory,
    VolunteerFactory,
    checklist_done,
    eligible_volunteer,
    make_mission,
    manager_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Messages are asserted in French, whatever language an earlier test left active."""
    with translation.override("fr"):
        yield


START = datetime.date(2018, 1, 1)


@pytest.fixture
def mission():
    return make_mission(start=START)


@pytest.fixture
def sender(mission):
    return mission.quota.sending


@pytest.fixture
def host_manager(mission):
    return manager_of(mission.quota.receiving)


def nominate(mission, volunteer=None):
    volunteer = volunteer or eligible_volunteer(mission.quota.sending)
    return placement_nominate(mission=mission, volunteer=volunteer, user=None)


def refused(run) -> str:
    with pytest.raises(DomainError) as exc:
        run()
    return exc.value.message


def test_the_whole_way_nominated_confirmed_deployed_completed(mission, host_manager):
    placement = nominate(mission)
    volunteer = placement.volunteer
    assert placement.status == "nominated" and volunteer.status == "candidate"
    placement_confirm(placement=placement, user=host_manager)
    volunteer.refresh_from_db()
    assert volunteer.status == "selected"
    checklist_done(placement)
    placement_deploy(placement=placement, user=None, departure_date=START)
    volunteer.refresh_from_db()
    mission.refresh_from_db()
    assert (volunteer.status, mission.status) == ("deployed", "in_progress")
    placement_complete(placement=placement, user=None, return_date=datetime.date(2018, 6, 30))
    volunteer.refresh_from_db()
    mission.refresh_from_db()
    # Three of its four places are still free: the mission is not finished.
    assert (volunteer.status, mission.status) == ("returned", "open")
    assert list(
        FollowUp.objects.filter(placement=placement).values_list("due_month", "due_date")
    ) == [
        (3, datetime.date(2018, 9, 30)),
        (6, datetime.date(2018, 12, 30)),
        (12, datetime.date(2019, 6, 30)),
    ]
    history = [h.status for h in Placement.history.filter(id=placement.pk).order_by("history_id")]
    assert history == ["nominated", "confirmed", "deployed", "completed"]


def test_a_volunteer_of_another_agency_is_refused(mission):
    stranger = eligible_volunteer(AgencyFactory(acronym="XYZ"))
    message = refused(lambda: nominate(mission, stranger))
    assert "ne relève pas de" in message or "is not a volunteer of" in message


def test_a_volunteer_who_turns_26_the_day_before_the_start_is_refused(mission, sender):
    volunteer = VolunteerFactory(sending_agency=sender, birth_date=datetime.date(1992, 1, 1))
    ExperienceFactory(
        volunteer=volunteer, start=datetime.date(2013, 1, 1), end=datetime.date(2016, 1, 1)
    )
    message = refused(lambda: nominate(mission, volunteer))
    assert "26" in message and "25" in message
    assert not Placement.objects.exists()


def test_a_volunteer_who_is_25_on_the_start_is_accepted(mission, sender):
    volunteer = VolunteerFactory(sending_agency=sender, birth_date=datetime.date(1992, 1, 2))
    ExperienceFactory(
        volunteer=volunteer, start=datetime.date(2013, 1, 1), end=datetime.date(2016, 1, 1)
    )
    assert nominate(mission, volunteer).status == "nominated"


def test_the_message_lists_every_failed_rule(mission, sender):
    volunteer = VolunteerFactory(sending_agency=sender, birth_date=datetime.date(2005, 1, 1))
    message = refused(lambda: nominate(mission, volunteer))
    assert "13 ans" in message and "18 ans" in message
    assert "730 jours" in message


def test_an_agreement_not_approved_by_both_is_refused(mission):
    Quota.objects.filter(pk=mission.quota_id).update(approved_places=None)
    assert "approuvé par les deux parties" in refused(lambda: nominate(mission))


def test_a_suspended_agreement_is_refused_at_nomination_and_confirmation(mission, host_manager):
    placement = nominate(mission)
    agreement = mission.quota.agreement
    agreement_suspend(agreement=agreement, reason="Crise", user=manager_of(agreement.party_a))
    message = refused(lambda: placement_confirm(placement=placement, user=host_manager))
    assert agreement.reference in message and "suspendu" in message
    assert "suspendu" in refused(lambda: nominate(mission))


def test_a_mission_outside_the_agreement_dates_is_refused(mission):
    Mission.objects.filter(pk=mission.pk).update(start_date=datetime.date(2017, 1, 1))
    mission.refresh_from_db()
    assert "en dehors de l’accord" in refused(lambda: nominate(mission))


def test_overlapping_placements_of_one_volunteer_are_refused(mission):
    placement = nominate(mission)
    other = make_mission(quota=mission.quota, start=START.replace(month=3))
    message = refused(lambda: nominate(other, placement.volunteer))
    assert "chevauche" in message
    placement_cancel(placement=placement, user=None)
    assert nominate(other, placement.volunteer).status == "nominated"


def test_the_overlap_is_checked_again_at_confirmation(mission, host_manager):
    first = nominate(mission)
    # A nomination elsewhere slipped in (e.g. made by an admin) before the confirmation.
    other = make_mission(quota=mission.quota, start=START.replace(month=2))
    Placement.objects.create(mission=other, quota=other.quota, volunteer=first.volunteer)
    assert "chevauche" in refused(lambda: placement_confirm(placement=first, user=host_manager))


def test_confirmations_stop_at_the_quota_places(mission, host_manager):
    Quota.objects.filter(pk=mission.quota_id).update(approved_places=2)
    placements = [nominate(mission) for _ in range(3)]
    for p in placements[:2]:
        placement_confirm(placement=p, user=host_manager)
    message = refused(lambda: placement_confirm(placement=placements[2], user=host_manager))
    assert "quota" in message and "2/2 places" in message
    figures = quota_figures(quotas=Quota.objects.filter(pk=mission.quota_id)).get()
    assert (figures.proposed, figures.confirmed, figures.used, figures.remaining) == (1, 2, 2, 0)


def test_confirmations_stop_at_the_mission_places(host_manager):
    mission = make_mission(places=1)
    host_manager = manager_of(mission.quota.receiving)
    first, second = nominate(mission), nominate(mission)
    placement_confirm(placement=first, user=host_manager)
    mission.refresh_from_db()
    assert mission.status == "filled"
    message = refused(lambda: placement_confirm(placement=second, user=host_manager))
    assert "mission est complète" in message


def test_decline_needs_a_reason_and_leaves_the_volunteer_candidate(mission, host_manager):
    placement = nominate(mission)
    assert "motif" in refused(
        lambda: placement_decline(placement=placement, user=host_manager, reason=" ")
    )
    placement_decline(placement=placement, user=host_manager, reason="Profil inadapté")
    placement.refresh_from_db()
    assert (placement.status, placement.reason) == ("declined", "Profil inadapté")
    assert "« refusé" in refused(lambda: placement_confirm(placement=placement, user=host_manager))


def test_withdrawal_sends_the_volunteer_back_to_candidate(mission, host_manager):
    placement = nominate(mission)
    placement_confirm(placement=placement, user=host_manager)
    placement_withdraw(placement=placement, user=host_manager, reason="Raisons familiales")
    placement.volunteer.refresh_from_db()
    assert placement.volunteer.status == "candidate"
    figures = quota_figures(quotas=Quota.objects.filter(pk=mission.quota_id)).get()
    assert (figures.withdrawn, figures.used) == (1, 0)


def test_the_other_agency_is_told_by_email_after_commit(
    mission, host_manager, sender, django_capture_on_commit_callbacks, tasks_in_process
):
    from agencies.models import Membership

    def emails_of(agency):
        return set(Membership.objects.filter(agency=agency).values_list("user__email", flat=True))

    manager_of(sender)
    with django_capture_on_commit_callbacks(execute=True):
        placement = nominate(mission)
    told = {to for m in mail.outbox for to in m.to}
    assert host_manager.email in told and told <= emails_of(mission.quota.receiving)
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Proposition pour « " in mail.outbox[0].subject
    assert f"/missions/placements/{placement.pk}/nominee/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        placement_decline(placement=placement, user=host_manager, reason="Complet")
    told = {to for m in mail.outbox for to in m.to}
    assert told and told <= emails_of(sender)
    assert "Complet" in mail.outbox[0].body


def test_nothing_is_sent_when_the_step_is_refused(mission, django_capture_on_commit_callbacks):
    too_young = VolunteerFactory(sending_agency=mission.quota.sending)
    with django_capture_on_commit_callbacks(execute=True):
        refused(lambda: nominate(mission, too_young))
    assert mail.outbox == []


def test_the_nomination_asks_only_the_hosts_managers_to_decide(
    mission, host_manager, django_capture_on_commit_callbacks, tasks_in_process
):
    """The host's officers are told of a nomination, not asked to confirm or decline it: only
    its managers may (the confirm and decline buttons, ``agencies.rules``)."""
    from tests.factories import MembershipFactory

    officer = MembershipFactory(agency=mission.quota.receiving, role="officer").user
    with django_capture_on_commit_callbacks(execute=True):
        nominate(mission)
    body = {m.to[0]: m.body for m in mail.outbox}
    assert "Confirmez ou refusez la proposition" in body[host_manager.email]
    assert "Confirmez ou refusez" not in body[officer.email]
    assert "Les responsables de l’agence d’accueil confirment ou refusent" in body[officer.email]
