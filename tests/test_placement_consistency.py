"""What the placements decide stays true: a mission's status follows its places, a withdrawn or
cancelled party takes no further step, the volunteer's status is the placements', an agreement's
pending change binds no one, an admin edit cannot count a placement under another quota, and a
refused form keeps what was typed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from missions.models import Mission, Placement
from missions.services import (
    mission_update,
    placement_complete,
    placement_confirm,
    placement_decline,
    placement_deploy,
    placement_nominate,
    placement_withdraw,
)
from tests.factories import (
    ExperienceFactory,
    MembershipFactory,
    VolunteerFactory,
    approved_agreement,
    checklist_done,
    current_quotas,
    eligible_volunteer,
    make_mission,
    manager_of,
)
from volunteers.models import Volunteer
from volunteers.services import volunteer_withdraw

pytestmark = pytest.mark.django_db
START = datetime.date(2018, 1, 1)


def confirmed(mission):
    volunteer = eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=manager_of(mission.quota.receiving))


def status_of(mission) -> str:
    mission.refresh_from_db()
    return mission.status


def test_a_filled_mission_given_one_more_place_takes_nominations_again():
    mission = make_mission(start=START, places=1)
    confirmed(mission)
    assert status_of(mission) == Mission.Status.FILLED
    mission.places = 2
    mission_update(mission=mission, user=None)
    assert status_of(mission) == Mission.Status.OPEN
    volunteer = eligible_volunteer(mission.quota.sending)
    placement_nominate(mission=mission, volunteer=volunteer, user=None)


def test_an_open_mission_cut_to_its_taken_places_is_filled():
    mission = make_mission(start=START, places=2)
    confirmed(mission)
    assert status_of(mission) == Mission.Status.OPEN
    mission.places = 1
    mission_update(mission=mission, user=None)
    assert status_of(mission) == Mission.Status.FILLED


@pytest.mark.parametrize("status", [Mission.Status.CANCELLED, Mission.Status.DRAFT])
def test_a_mission_with_placements_under_way_is_not_cancelled_nor_put_back_to_draft(status):
    mission = make_mission(start=START, places=2)
    placement = placement_nominate(
        mission=mission, volunteer=eligible_volunteer(mission.quota.sending), user=None
    )
    mission.status = status
    with pytest.raises(DomainError, match="Une affectation de cette mission") as refused:
        mission_update(mission=mission, user=None)
    assert refused.value.field == "status"
    assert status_of(mission) == Mission.Status.OPEN
    placement_withdraw(placement=placement, user=None, reason="Plus disponible")
    mission.status = status
    mission_update(mission=mission, user=None)
    assert status_of(mission) == status


def test_a_nomination_on_a_mission_cancelled_meanwhile_is_not_confirmed():
    """A nomination left from before the rule (or written around it) meets the confirmation's."""
    mission = make_mission(start=START, places=2)
    placement = placement_nominate(
        mission=mission, volunteer=eligible_volunteer(mission.quota.sending), user=None
    )
    Mission.objects.filter(pk=mission.pk).update(status=Mission.Status.CANCELLED)
    with pytest.raises(DomainError, match="annulée"):
        placement_confirm(placement=placement, user=manager_of(mission.quota.receiving))
    placement.refresh_from_db()
    assert placement.status == Placement.Status.NOMINATED


def test_a_volunteer_with_a_placement_under_way_withdraws_it_first():
    mission = make_mission(start=START, places=1)
    placement = confirmed(mission)
    volunteer = placement.volunteer
    with pytest.raises(DomainError, match=f"sur « {mission.title} »"):
        volunteer_withdraw(volunteer=volunteer, user=None, reason="Abandon")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.SELECTED
    placement_withdraw(placement=placement, user=None, reason="Abandon")
    assert status_of(mission) == Mission.Status.OPEN
    volunteer_withdraw(volunteer=volunteer, user=None, reason="Abandon")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.WITHDRAWN


def test_a_withdrawn_volunteer_does_not_leave():
    """A confirmed placement of a volunteer withdrawn around the services is not deployed, and
    the departure does not turn the withdrawal back into "deployed"."""
    mission = make_mission(start=START, places=1)
    placement = confirmed(mission)
    Volunteer.objects.filter(pk=placement.volunteer_id).update(status=Volunteer.Status.WITHDRAWN)
    checklist_done(placement)
    with pytest.raises(DomainError, match="a retiré sa candidature"):
        placement_deploy(placement=placement, user=None, departure_date=START)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CONFIRMED
    assert Volunteer.objects.get(pk=placement.volunteer_id).status == Volunteer.Status.WITHDRAWN


class TwoMissions:
    """One volunteer, a mission in 2018 and another in 2019 under the same agreement (walk 6,
    finding 1: Bakary on missions 37 and 38, Aïssata on missions 37 and 9)."""

    def __init__(self):
        agreement = approved_agreement(quotas=[(2018, "ab", 4), (2019, "ab", 4)])
        self.first = make_mission(quota=agreement.quotas.get(cohort=2018), start=START)
        self.second = make_mission(
            quota=agreement.quotas.get(cohort=2019), start=datetime.date(2019, 3, 1)
        )
        self.volunteer = eligible_volunteer(agreement.party_a)
        self.host = manager_of(agreement.party_b)

    def nominate(self, mission):
        return placement_nominate(mission=mission, volunteer=self.volunteer, user=None)

    def confirm(self, mission):
        return placement_confirm(placement=self.nominate(mission), user=self.host)

    def depart(self, placement):
        checklist_done(placement)
        placement_deploy(
            placement=placement, user=None, departure_date=placement.mission.start_date
        )

    def come_back(self, placement):
        placement_complete(placement=placement, user=None, return_date=placement.mission.end_date)

    def status(self):
        self.volunteer.refresh_from_db()
        return self.volunteer.status


def test_a_confirmation_for_a_later_mission_leaves_a_volunteer_on_mission_deployed():
    """Walk 6, finding 1 (a): the host confirmed next year's mission while the volunteer was
    away; the page said "Selected" beside the departure it listed."""
    two = TwoMissions()
    first = two.confirm(two.first)
    two.depart(first)
    assert two.status() == Volunteer.Status.DEPLOYED
    second = two.confirm(two.second)
    assert two.status() == Volunteer.Status.DEPLOYED
    two.come_back(first)
    assert two.status() == Volunteer.Status.SELECTED
    # The later mission withdrawn: back from the first, not a new candidate.
    placement_withdraw(placement=second, user=None, reason="Plus disponible")
    assert two.status() == Volunteer.Status.RETURNED
    # A nomination declined by the host changes nothing either.
    placement_decline(placement=two.nominate(two.second), user=two.host, reason="Profil")
    assert two.status() == Volunteer.Status.RETURNED


@pytest.mark.parametrize("confirmed_first", [True, False], ids=["confirm-return", "return-confirm"])
def test_a_volunteer_back_and_confirmed_elsewhere_is_selected_whichever_came_first(
    confirmed_first,
):
    """Walk 6, finding 1 (b): the return recorded after a confirmation for a later mission said
    "Returned"; recorded before it, "Selected". Both orders say what the placements say."""
    two = TwoMissions()
    first = two.confirm(two.first)
    two.depart(first)
    if confirmed_first:
        two.confirm(two.second)
        two.come_back(first)
    else:
        two.come_back(first)
        assert two.status() == Volunteer.Status.RETURNED
        two.confirm(two.second)
    assert two.status() == Volunteer.Status.SELECTED


def volunteer_form_data(volunteer, **changes) -> dict:
    from volunteers.forms import VolunteerForm

    opened = VolunteerForm(instance=volunteer, agency=volunteer.sending_agency)
    data = {name: opened.initial.get(name) for name in opened.fields if name != "status"}
    data["themes"] = []
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(
        {
            "experiences-TOTAL_FORMS": 0, "experiences-INITIAL_FORMS": 0,
            "languages-TOTAL_FORMS": 0, "languages-INITIAL_FORMS": 0,
        }
    )  # fmt: skip
    return {**data, **changes}


def test_an_edit_form_opened_before_a_confirmation_keeps_the_status_it_set(client):
    """The officer opened the volunteer's form, the host confirmed meanwhile, the officer saves
    a new phone number: the volunteer stays selected (the status is not typed in the form, and
    the service keeps the stored one)."""
    mission = make_mission(start=START, places=1)
    volunteer = eligible_volunteer(mission.quota.sending)
    client.force_login(manager_of(volunteer.sending_agency))
    url = reverse("volunteers:edit", args=[volunteer.pk])
    page = client.get(url).content.decode()
    assert 'name="status"' in page and "disabled" in page.split('name="status"')[1][:200]
    data = volunteer_form_data(volunteer, phone="+228 90 00 00 00")
    confirmed_placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement_confirm(placement=confirmed_placement, user=manager_of(mission.quota.receiving))
    response = client.post(url, data)  # a disabled field is not sent
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.phone, volunteer.status) == ("+228 90 00 00 00", Volunteer.Status.SELECTED)


def test_the_service_keeps_the_stored_status_under_a_form_read_before_the_confirmation():
    """The form was bound and checked on a volunteer read as a candidate; the host confirmed
    before it was saved: the service writes the status it finds under the row's lock."""
    from volunteers.forms import ExperienceFormSet, LanguageFormSet, VolunteerForm
    from volunteers.services import volunteer_save

    mission = make_mission(start=START, places=1)
    volunteer = eligible_volunteer(mission.quota.sending)
    data = volunteer_form_data(volunteer, phone="+228 92 00 00 00")
    form = VolunteerForm(data, instance=volunteer, agency=volunteer.sending_agency)
    experiences = ExperienceFormSet(data, {}, instance=volunteer, prefix="experiences")
    languages = LanguageFormSet(data, instance=volunteer, prefix="languages")
    assert form.is_valid() and experiences.is_valid() and languages.is_valid()
    assert form.instance.status == Volunteer.Status.CANDIDATE
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement_confirm(placement=placement, user=manager_of(mission.quota.receiving))
    volunteer_save(form=form, experiences=experiences, languages=languages)
    volunteer.refresh_from_db()
    assert (volunteer.phone, volunteer.status) == ("+228 92 00 00 00", Volunteer.Status.SELECTED)


def test_a_withdrawn_volunteer_is_put_back_on_the_register_from_the_form(client):
    volunteer = eligible_volunteer(make_mission(start=START).quota.sending)
    volunteer_withdraw(volunteer=volunteer, user=None, reason="Études")
    client.force_login(manager_of(volunteer.sending_agency))
    url = reverse("volunteers:edit", args=[volunteer.pk])
    response = client.post(url, volunteer_form_data(volunteer, status="deployed"))
    assert response.status_code == 200  # not a choice
    assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.WITHDRAWN
    response = client.post(url, volunteer_form_data(volunteer, status="candidate"))
    assert response.status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.CANDIDATE


def test_the_api_refuses_a_status_the_placements_set(client):
    from rest_framework.test import APIClient

    volunteer = eligible_volunteer(make_mission(start=START).quota.sending)
    api = APIClient()
    api.force_authenticate(manager_of(volunteer.sending_agency))
    url = reverse("api:volunteer_detail", args=[volunteer.pk])
    response = api.patch(url, {"status": "deployed"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["errors"]
    assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.CANDIDATE
    assert api.patch(url, {"phone": "+228 91 00 00 00"}, format="json").status_code == 200


def test_a_change_of_the_rules_awaiting_the_partner_binds_no_nomination():
    """Party A raises the maximum age to 40: version 2 awaits party B; a 33-year-old is refused
    until B approves it, then nominated."""
    from exchanges.services import agreement_approve, agreement_update

    mission = make_mission(start=START, places=2)
    agreement = mission.quota.agreement
    agreement.max_age = 40
    version = agreement_update(
        agreement=agreement, themes=list(agreement.themes.all()),
        quotas=current_quotas(agreement), user=manager_of(agreement.party_a),
    )  # fmt: skip
    assert version.number == 2
    volunteer = VolunteerFactory(
        sending_agency=mission.quota.sending, birth_date=datetime.date(1985, 1, 1)
    )
    ExperienceFactory(
        volunteer=volunteer, start=datetime.date(2010, 1, 1), end=datetime.date(2015, 1, 1)
    )
    with pytest.raises(DomainError, match="25"):
        placement_nominate(mission=mission, volunteer=volunteer, user=None)
    for party in (agreement.party_a, agreement.party_b):
        manager = manager_of(party)
        agreement_approve(agreement=agreement, version_number=2, agency=party, user=manager)
    agreement.refresh_from_db()
    assert agreement.eligibility_rules().max_age == 40
    placement_nominate(mission=mission, volunteer=volunteer, user=None)


def test_the_admin_cannot_move_a_placement_to_another_quota(admin_client):
    placement = confirmed(make_mission(start=START, places=2))
    page = admin_client.get(reverse("admin:missions_placement_change", args=[placement.pk]))
    fields = page.context["adminform"].form.fields
    assert "mission" not in fields and "volunteer" not in fields and "quota" not in fields
    mission = placement.mission
    page = admin_client.get(reverse("admin:missions_mission_change", args=[mission.pk]))
    assert "quota" not in page.context["adminform"].form.fields
    empty = make_mission(start=START, places=2)
    page = admin_client.get(reverse("admin:missions_mission_change", args=[empty.pk]))
    assert "quota" in page.context["adminform"].form.fields


def test_a_refused_host_assessment_is_shown_again_with_what_was_typed(client):
    from tests.voice_helpers import completed_placement

    placement = completed_placement()
    client.force_login(MembershipFactory(agency=placement.quota.receiving, role="officer").user)
    comments = "Très impliquée, a animé douze ateliers"
    url = reverse("voice:assess", args=[placement.pk])
    response = client.post(url, {"contribution": 9, "punctuality": 4, "comments": comments})
    assert response.status_code == 200
    html = response.content.decode()
    assert comments in html and "is-invalid" in html
    assert not hasattr(placement, "host_assessment") or placement.host_assessment is None


def test_a_refused_support_action_is_shown_again_under_its_follow_up(client):
    from missions.models import FollowUp
    from tests.voice_helpers import completed_placement

    placement = completed_placement()
    follow_up = FollowUp.objects.get(placement=placement, due_month=6)
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="officer").user)
    url = reverse("voice:support_action_add", args=[follow_up.pk])
    response = client.post(url, {"kind": "mentoring", "outcome": "nonsense", "note": "Un ancien"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('value="Un ancien"') == 1 and 'data-testid="support-errors"' in html


def test_a_departure_or_a_return_is_recorded_once_it_happened():
    from django.utils import timezone

    from missions.placement_dates import check_departure, check_return

    today = timezone.localdate()
    mission = Mission(start_date=today, end_date=today + datetime.timedelta(days=180))
    check_departure(mission, today)
    with pytest.raises(DomainError, match="pas encore arrivé") as refused:
        check_departure(mission, today + datetime.timedelta(days=1))
    assert refused.value.field == "departure_date"
    placement = Placement(mission=mission, departure_date=today - datetime.timedelta(days=2))
    with pytest.raises(DomainError, match="pas encore arrivé") as refused:
        check_return(placement, today + datetime.timedelta(days=1), "other", "Malade")
    assert refused.value.field == "return_date"


def test_a_follow_up_is_recorded_from_its_due_date():
    from django.utils import timezone

    from missions.models import FollowUp
    from missions.services import follow_up_record
    from tests.voice_helpers import completed_placement

    follow_up = FollowUp.objects.get(placement=completed_placement(), due_month=12)
    follow_up.due_date = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match="échéance"):
        follow_up_record(follow_up=follow_up, user=None, situation="employed")
    follow_up.due_date = timezone.localdate()
    follow_up_record(follow_up=follow_up, user=None, situation="employed")
    assert FollowUp.objects.get(pk=follow_up.pk).situation == "employed"


def test_an_amendment_keeps_each_quota_above_the_places_taken():
    """One place of the A → B quota is taken: an amendment may lower it to 1, not to 0, nor
    drop it (the partner's approval checks again)."""
    from exchanges.services import QuotaData, agreement_update

    mission = make_mission(start=START, places=2)
    confirmed(mission)
    agreement = mission.quota.agreement
    manager = manager_of(agreement.party_a)
    quotas = current_quotas(agreement)
    taken = mission.quota

    def amend(places):
        """The text with the taken quota at ``places`` (None: left out)."""
        rows = [
            q
            for q in quotas
            if (q.sending_id, q.receiving_id) != (taken.sending_id, taken.receiving_id)
        ]
        if places is not None:
            rows.append(QuotaData(taken.cohort, taken.sending_id, taken.receiving_id, places))
        themes = list(agreement.themes.all())
        return agreement_update(agreement=agreement, themes=themes, quotas=rows, user=manager)

    for places in (0, None):
        with pytest.raises(DomainError, match="1 place est déjà prise"):
            amend(places)
    taken.refresh_from_db()
    assert taken.places == 4
    assert amend(1).number == 2


def test_an_anonymised_volunteer_is_refused_as_such_not_as_withdrawn():
    mission = make_mission(start=START, places=1)
    volunteer = eligible_volunteer(mission.quota.sending)
    Volunteer.objects.filter(pk=volunteer.pk).update(anonymised_at=timezone.now())
    volunteer.refresh_from_db()
    with pytest.raises(DomainError, match="a été anonymisée") as refused:
        placement_nominate(mission=mission, volunteer=volunteer, user=None)
    assert "retiré" not in str(refused.value)
