"""The mission form offers only the quotas its user may use: received by their agencies, of an
agreement in force, of a cohort not past (and an edited mission's own). The platform
administrator picks the agreement first: the platform's quotas in force are tens of thousands."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from exchanges.models import Agreement, Quota
from missions.forms import MissionForm
from missions.models import Mission
from tests.factories import (
    HostStructureFactory,
    MembershipFactory,
    ThemeFactory,
    approved_agreement,
    make_mission,
)

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year
NEXT_YEAR = THIS_YEAR + 1


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def offered(form) -> set[int]:
    return {int(value) for value, _label in form.fields["quota"].choices if value}


def test_a_member_is_offered_the_usable_quotas_of_their_agencies_only():
    agreement = approved_agreement(
        quotas=[(THIS_YEAR, "ab", 2), (NEXT_YEAR, "ab", 2), (2018, "ab", 2), (NEXT_YEAR, "ba", 1)]
    )
    host = agreement.party_b
    usable = set(
        agreement.quotas.filter(receiving=host, cohort__gte=THIS_YEAR).values_list("pk", flat=True)
    )
    assert len(usable) == 2
    assert offered(MissionForm(host_ids=[host.pk])) == usable  # not 2018, not B → A
    # An agreement that ended takes no new mission.
    ended = approved_agreement(party_b=host, quotas=[(NEXT_YEAR, "ab", 2)])
    Agreement.objects.filter(pk=ended.pk).update(end_date=datetime.date(THIS_YEAR - 1, 12, 31))
    assert offered(MissionForm(host_ids=[host.pk])) == usable
    # Another agency's agreements are not offered.
    approved_agreement(quotas=[(NEXT_YEAR, "ab", 2)])
    assert offered(MissionForm(host_ids=[host.pk])) == usable


def test_an_edited_mission_keeps_its_own_quota_of_a_past_cohort():
    mission = make_mission()  # cohort 2018
    form = MissionForm(instance=mission, host_ids=[mission.quota.receiving_id])
    assert mission.quota_id in offered(form)
    bound = MissionForm(
        {"quota": mission.quota_id}, instance=mission, host_ids=[mission.quota.receiving_id]
    )
    bound.is_valid()
    assert "quota" not in bound.errors  # and it is accepted
    other = make_mission(quota=mission.quota)  # a new mission cannot take that past cohort
    bound = MissionForm({"quota": other.quota_id}, host_ids=[mission.quota.receiving_id])
    bound.is_valid()
    assert "quota" in bound.errors


def test_the_member_form_reads_its_choices_in_the_same_queries_for_2_and_20_quotas(client):
    agreement = approved_agreement(quotas=[(NEXT_YEAR, "ab", 2)])
    host = agreement.party_b
    client.force_login(MembershipFactory(agency=host, role="officer").user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("missions:create"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count("places restantes")

    few, shown = queries()
    assert shown == 1
    for _ in range(9):
        approved_agreement(party_b=host, quotas=[(NEXT_YEAR, "ab", 2), (NEXT_YEAR + 1, "ab", 3)])
    many, shown = queries()
    assert shown == 19
    assert many == few


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(user)
    return user


def test_the_administrator_chooses_the_agreement_first(client, admin):
    agreement = approved_agreement(quotas=[(NEXT_YEAR, "ab", 2), (NEXT_YEAR, "ba", 1)])
    other = approved_agreement(quotas=[(NEXT_YEAR, "ab", 2)])
    url = reverse("missions:create")
    page = client.get(url).content.decode()
    assert 'data-testid="agreement-step"' in page and 'name="quota"' not in page
    response = client.get(url, {"agreement": agreement.reference.lower()})
    assert offered(response.context["form"]) == set(agreement.quotas.values_list("pk", flat=True))
    assert other.reference not in response.content.decode()
    response = client.get(url, {"agreement": "VIR-NOPE"})
    assert "Aucune convention approuvée en vigueur n’a la référence « VIR-NOPE »" in (
        response.content.decode()
    )
    assert 'name="quota"' not in response.content.decode()


def test_the_administrator_creates_a_mission_under_the_chosen_agreement(client, admin):
    agreement = approved_agreement(quotas=[(NEXT_YEAR, "ab", 2)])
    quota = agreement.quotas.get()
    data = {
        "quota": quota.pk,
        "host_structure": HostStructureFactory(agency=quota.receiving).pk,
        "title": "Appui aux écoles",
        "theme": ThemeFactory().pk,
        "city": "Sikasso",
        "start_date": f"{NEXT_YEAR}-02-01",
        "end_date": f"{NEXT_YEAR}-10-31",
        "places": 1,
        "status": "draft",
    }
    url = f"{reverse('missions:create')}?agreement={agreement.reference}"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Mission.objects.get(title="Appui aux écoles").quota == quota
    # Without the agreement, no quota is valid: nothing is created.
    other = Quota.objects.get(pk=quota.pk)
    data["title"] = "Sans accord"
    response = client.post(reverse("missions:create"), {**data, "quota": other.pk})
    assert response.status_code == 200
    assert not Mission.objects.filter(title="Sans accord").exists()


def test_the_administrator_edits_under_the_missions_agreement(client, admin):
    mission = make_mission(start=datetime.date(NEXT_YEAR, 3, 1))
    response = client.get(reverse("missions:edit", args=[mission.pk]))
    assert response.status_code == 200
    assert offered(response.context["form"]) == set(
        mission.quota.agreement.quotas.values_list("pk", flat=True)
    )


def test_a_mission_with_placements_shows_its_quota_only_and_keeps_it(client):
    """It cannot move to another quota (the service refuses): its form shows its own quota,
    not editable, instead of offering every quota of the agency; a posted other is ignored."""
    from missions.services import placement_nominate
    from tests.factories import eligible_volunteer

    mission = make_mission(start=datetime.date(NEXT_YEAR, 3, 1))
    other = approved_agreement(
        party_a=mission.quota.sending,
        party_b=mission.quota.receiving,
        quotas=[(NEXT_YEAR, "ab", 2)],
    ).quotas.get()
    manager = MembershipFactory(agency=mission.quota.receiving, role="manager").user
    client.force_login(manager)
    url = reverse("missions:edit", args=[mission.pk])
    assert offered(client.get(url).context["form"]) >= {mission.quota_id, other.pk}
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    placement_nominate(mission=mission, volunteer=volunteer, user=None)
    form = client.get(url).context["form"]
    assert offered(form) == {mission.quota_id} and form.fields["quota"].disabled
    data = {
        "quota": other.pk,
        "host_structure": mission.host_structure_id,
        "title": "Renamed",
        "theme": mission.theme_id,
        "city": mission.city,
        "start_date": mission.start_date.isoformat(),
        "end_date": mission.end_date.isoformat(),
        "places": mission.places,
        "status": mission.status,
    }
    assert client.post(url, data).status_code == 302
    mission.refresh_from_db()
    assert (mission.title, mission.quota_id) == ("Renamed", form.initial["quota"])


def test_a_new_mission_is_not_offered_cancelled_and_takes_one_place_at_least():
    """Found by a walk: the creation form offered "Annulée" and its places input allowed 0."""
    form = MissionForm(host_ids=[])
    assert [value for value, _label in form.fields["status"].choices] == ["draft", "open"]
    assert 'min="1"' in str(form["places"])
    mission = make_mission(start=datetime.date(NEXT_YEAR, 3, 1))
    edited = MissionForm(instance=mission, host_ids=[mission.quota.receiving_id])
    assert "cancelled" in dict(edited.fields["status"].choices)
