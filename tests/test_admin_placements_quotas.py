"""What a fourth exploratory walk found the admin and the agreement form letting through: a
placement written by hand around every rule, a quota between agencies that are not the
agreement's parties or below its places taken, a mission moved in the admin over its
volunteers' other placements, and quotas whose missions outlast the agreement's."""

import dataclasses
import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from exchanges.models import Agreement, Quota
from exchanges.services import agreement_update
from missions.models import Mission, Placement
from missions.services import placement_confirm, placement_nominate
from tests.factories import (
    AgencyFactory,
    approved_agreement,
    current_quotas,
    eligible_volunteer,
    make_mission,
    manager_of,
)
from tests.test_admin_rules import form_data, post_changed

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def confirmed(mission, volunteer=None):
    volunteer = volunteer or eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    return placement_confirm(placement=placement, user=manager_of(mission.quota.receiving))


def test_the_admin_reads_placements_and_corrects_only_their_texts(admin_client):
    placement = confirmed(make_mission(start=D(2018, 1, 1)))
    assert admin_client.get(reverse("admin:missions_placement_add")).status_code == 403
    url = reverse("admin:missions_placement_change", args=[placement.pk])
    assert set(admin_client.get(url).context["adminform"].form.fields) == {
        "reason",
        "early_return_note",
    }
    data = form_data(admin_client.get(url))
    data.update(reason="Motif corrigé", status="deployed", departure_date="2030-01-01")
    assert admin_client.post(url, data).status_code == 302
    placement.refresh_from_db()
    assert placement.reason == "Motif corrigé"
    assert (placement.status, placement.departure_date) == (Placement.Status.CONFIRMED, None)


def test_a_quota_between_agencies_not_party_to_the_agreement_is_refused(admin_client):
    agreement = approved_agreement(quotas=[(2018, "ab", 2), (2018, "ba", 2)])
    outsiders = AgencyFactory(), AgencyFactory()
    add = reverse("admin:exchanges_quota_add")
    data = form_data(admin_client.get(add))
    data.update(
        agreement=agreement.pk,
        cohort=2018,
        sending=outsiders[0].pk,
        receiving=outsiders[1].pk,
        places=2,
    )
    response = admin_client.post(add, data)
    assert response.status_code == 200
    assert "partie de la convention" in str(response.context["adminform"].form.errors)
    assert not Quota.objects.filter(sending=outsiders[0]).exists()
    data.update(sending=agreement.party_a_id, receiving=agreement.party_a_id)
    response = admin_client.post(add, data)
    assert "quota_two_distinct_agencies" not in response.content.decode()
    assert not Quota.objects.filter(sending=agreement.party_a, receiving=agreement.party_a).exists()


def test_a_quota_keeps_at_least_its_places_taken_in_the_admin(admin_client):
    mission = make_mission(start=D(2018, 1, 1))
    confirmed(mission)
    url = reverse("admin:exchanges_quota_change", args=[mission.quota_id])
    response = post_changed(admin_client, url, places=0)
    assert response.status_code == 200
    assert "1 place est déjà prise" in str(response.context["adminform"].form.errors["places"])
    assert Quota.objects.get(pk=mission.quota_id).places == 4


def test_the_admin_does_not_move_a_mission_over_its_volunteers_other_placements(admin_client):
    first = make_mission(start=D(2018, 1, 1))
    second = make_mission(quota=first.quota, start=D(2018, 7, 1), places=2)
    volunteer = eligible_volunteer(first.quota.sending)
    confirmed(first, volunteer)
    confirmed(second, volunteer)
    url = reverse("admin:missions_mission_change", args=[second.pk])
    response = post_changed(admin_client, url, start_date="2018-03-01", end_date="2018-08-31")
    assert response.status_code == 200
    assert "chevauche" in str(response.context["adminform"].form.errors)
    second.refresh_from_db()
    assert second.start_date == D(2018, 7, 1)
    # Given one place more through the admin, the filled mission is open again, as in the app.
    confirmed(second)
    second.refresh_from_db()
    assert second.status == Mission.Status.FILLED
    assert post_changed(admin_client, url, places=3).status_code == 302
    second.refresh_from_db()
    assert second.status == Mission.Status.OPEN


def test_a_quota_s_missions_last_within_the_agreement_s_durations():
    agreement = approved_agreement(quotas=[(2018, "ab", 2), (2018, "ba", 2)])
    manager = manager_of(agreement.party_a)
    quotas = current_quotas(agreement)
    quotas[0] = dataclasses.replace(quotas[0], duration_months=40)
    with pytest.raises(DomainError, match="de 6 à 12 mois"):
        agreement_update(agreement=agreement, themes=[], quotas=quotas, user=manager)
    fresh = Agreement.objects.get(pk=agreement.pk)
    fresh.min_duration_months = 0
    with pytest.raises(DomainError, match="supérieure ou égale à 1"):
        agreement_update(agreement=fresh, themes=[], quotas=current_quotas(agreement), user=manager)
    assert Agreement.objects.get(pk=agreement.pk).min_duration_months == 6


@pytest.mark.parametrize("start, duration", [("", ""), ("2018-01-01", "40")])
def test_a_new_agreement_s_quotas_are_checked_against_it_as_typed(admin_client, start, duration):
    """The quota rows of a new agreement are checked against the agreement typed above them;
    with the agreement's own form in error, its errors come first (not a server error)."""
    parties = AgencyFactory(), AgencyFactory()
    url = reverse("admin:exchanges_agreement_add")
    data = form_data(admin_client.get(url))
    data.update(
        {
            "reference": "VIR-ADMIN-1",
            "title": "Convention saisie dans l’admin",
            "party_a": parties[0].pk,
            "party_b": parties[1].pk,
            "start_date": start,
            "end_date": "2019-12-31",
            "quotas-TOTAL_FORMS": "1",
            "quotas-INITIAL_FORMS": "0",
            "quotas-0-cohort": "2018",
            "quotas-0-sending": parties[0].pk,
            "quotas-0-receiving": parties[1].pk,
            "quotas-0-places": "2",
            "quotas-0-duration_months": duration,
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert not Agreement.objects.filter(reference="VIR-ADMIN-1").exists()
    if duration:
        assert "de 6 à 12 mois" in response.content.decode()
