"""Places left, everywhere a decision is made: counted once (``exchanges.selectors.quota_places``,
what the confirmation counts) and shown on the mission, nominate, new-mission, agreement and home
pages. A nomination beyond the places left is refused (no waiting list), and the pages say so."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from exchanges.models import Agreement, Quota
from exchanges.selectors import places_of, quota_places
from missions.forms import MissionForm
from missions.models import Mission, Placement
from missions.services import (
    mission_create,
    mission_update,
    placement_confirm,
    placement_decline,
    placement_deploy,
    placement_nominate,
)
from tests.factories import (
    HostStructureFactory,
    MembershipFactory,
    ThemeFactory,
    checklist_done,
    eligible_volunteer,
    make_mission,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = datetime.date.today().year + 1


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def nominate(mission, volunteer=None):
    volunteer = volunteer or eligible_volunteer(mission.quota.sending, on=mission.start_date)
    return placement_nominate(mission=mission, volunteer=volunteer, user=None)


def places(quota) -> tuple[int, int, int]:
    """The places as every page counts them; the mission page's one-quota read agrees."""
    row = quota_places(quotas=Quota.objects.filter(pk=quota.pk)).get()
    one = places_of(Quota.objects.get(pk=quota.pk))
    assert (one.used, one.binding_places, one.remaining) == (
        row.used,
        row.binding_places,
        row.remaining,
    )
    return row.used, row.binding_places, row.remaining


def full_quota_mission(places_agreed=1, start=None):
    """An open mission whose quota has ``places_agreed`` places, all confirmed."""
    mission = make_mission(places=3, start=start)
    Quota.objects.filter(pk=mission.quota_id).update(approved_places=places_agreed)
    for _ in range(places_agreed):
        placement_confirm(placement=nominate(mission), user=None)
    return mission


# --- The one count ------------------------------------------------------------------------


def test_places_taken_are_the_confirmed_deployed_and_completed_placements():
    mission = make_mission(places=4)
    quota = mission.quota
    assert places(quota) == (0, 4, 4)
    first, second, third = nominate(mission), nominate(mission), nominate(mission)
    assert places(quota) == (0, 4, 4)  # nominations take no place
    placement_confirm(placement=first, user=None)
    placement_confirm(placement=second, user=None)
    checklist_done(second)
    placement_deploy(placement=second, user=None, departure_date=mission.start_date)
    placement_decline(placement=third, user=None, reason="Profil inadapté")
    assert places(quota) == (2, 4, 2)
    Quota.objects.filter(pk=quota.pk).update(approved_places=3)  # what was agreed binds
    assert places(quota) == (2, 3, 1)


def test_a_nomination_under_a_full_quota_is_refused_with_the_quota_and_its_count():
    mission = full_quota_mission(places_agreed=1)
    quota = mission.quota
    with pytest.raises(DomainError) as exc:
        nominate(mission)
    assert exc.value.message == (
        f"Le quota {quota.cohort} {quota.sending.acronym} → {quota.receiving.acronym} est plein "
        "(1/1 places prises)."
    )
    assert Placement.objects.filter(mission=mission, status="nominated").count() == 0


def test_the_confirmation_and_the_nomination_refuse_with_the_same_words():
    mission = make_mission(places=3)
    Quota.objects.filter(pk=mission.quota_id).update(approved_places=1)
    first, second = nominate(mission), nominate(mission)
    placement_confirm(placement=first, user=None)
    with pytest.raises(DomainError) as at_confirmation:
        placement_confirm(placement=second, user=None)
    with pytest.raises(DomainError) as at_nomination:
        nominate(mission)
    assert at_confirmation.value.message == at_nomination.value.message
    assert "est plein (1/1 places prises)" in at_nomination.value.message


def test_an_open_mission_under_a_full_quota_is_refused_a_draft_is_not():
    mission = full_quota_mission(places_agreed=1)
    fields = dict(
        quota=mission.quota,
        host_structure=mission.host_structure,
        title="Une autre mission",
        theme=mission.theme,
        city="Bamako",
        start_date=mission.start_date,
        end_date=mission.end_date,
        places=1,
    )
    with pytest.raises(DomainError) as exc:
        mission_create(mission=Mission(**fields), user=None)
    assert "est plein" in exc.value.message and "brouillon" in exc.value.message
    draft = mission_create(mission=Mission(status="draft", **fields), user=None)
    draft.status = "open"
    with pytest.raises(DomainError):
        mission_update(mission=draft, user=None)
    # The mission already open keeps its edits (its page says "full").
    mission.title = "Titre corrigé"
    assert mission_update(mission=mission, user=None).title == "Titre corrigé"


# --- The pages ----------------------------------------------------------------------------


def test_the_mission_page_shows_the_places_left_and_the_nominate_button(client):
    mission = make_mission(places=2)
    placement_confirm(placement=nominate(mission), user=None)
    officer = MembershipFactory(agency=mission.quota.sending, role="officer").user
    client.force_login(officer)
    page = client.get(mission.get_absolute_url()).content.decode()
    assert f"Promotion {mission.quota.cohort}" in page
    assert "1 / 4 places confirmées" in page and "3 places restantes" in page
    assert "1 / 2 prises sur cette mission" in page
    assert reverse("missions:nominate", args=[mission.pk]) in page


def test_a_mission_under_a_full_quota_says_full_and_hides_the_nominate_button(client):
    mission = full_quota_mission(places_agreed=1)
    officer = MembershipFactory(agency=mission.quota.sending, role="officer").user
    client.force_login(officer)
    page = client.get(mission.get_absolute_url()).content.decode()
    assert "1 / 1 places confirmées" in page and ">complet<" in page
    assert "il n’y a pas de liste d’attente" in page
    assert reverse("missions:nominate", args=[mission.pk]) not in page
    # The nominate page says it too, offers no button, and a POST is refused with the count.
    nominate_url = reverse("missions:nominate", args=[mission.pk])
    volunteer = eligible_volunteer(mission.quota.sending, last_name="Koffi")
    page = client.get(nominate_url).content.decode()
    assert ">complet<" in page and "Koffi" in page
    assert 'name="volunteer"' not in page
    response = client.post(nominate_url, {"volunteer": volunteer.pk}, follow=True)
    assert "est plein (1/1 places prises)." in response.content.decode()
    assert not Placement.objects.filter(volunteer=volunteer).exists()


def test_the_nominate_page_shows_the_places_left(client):
    mission = make_mission(places=2)
    eligible_volunteer(mission.quota.sending, last_name="Koffi")
    officer = MembershipFactory(agency=mission.quota.sending, role="officer").user
    client.force_login(officer)
    page = client.get(reverse("missions:nominate", args=[mission.pk])).content.decode()
    assert "0 / 4 places confirmées" in page and "4 places restantes" in page
    assert 'name="volunteer"' in page


def test_the_new_mission_form_names_each_quota_with_its_places_left():
    # The form offers the cohorts not past: next year's.
    mission = make_mission(places=3, start=datetime.date(NEXT_YEAR, 3, 1))
    quota = mission.quota
    placement_confirm(placement=nominate(mission), user=None)
    form = MissionForm(host_ids=[quota.receiving_id])
    labels = [label for _value, label in form.fields["quota"].choices]
    direction = f"{quota.cohort} {quota.sending.acronym} → {quota.receiving.acronym}"
    assert f"{quota.agreement.reference} · {direction} — 3 places restantes sur 4" in labels
    Quota.objects.filter(pk=quota.pk).update(approved_places=1)
    labels = [
        label
        for _value, label in MissionForm(host_ids=[quota.receiving_id]).fields["quota"].choices
    ]
    assert f"{quota.agreement.reference} · {direction} — complet (1/1)" in labels


def test_the_new_mission_page_refuses_an_open_mission_under_a_full_quota(client):
    mission = full_quota_mission(places_agreed=1, start=datetime.date(NEXT_YEAR, 3, 1))
    quota = mission.quota
    officer = MembershipFactory(agency=quota.receiving, role="officer").user
    client.force_login(officer)
    page = client.get(reverse("missions:create")).content.decode()
    assert "complet (1/1)" in page
    data = {
        "quota": quota.pk,
        "host_structure": HostStructureFactory(agency=quota.receiving).pk,
        "title": "Encore une",
        "theme": ThemeFactory().pk,
        "city": "Bamako",
        "start_date": mission.start_date.isoformat(),
        "end_date": mission.end_date.isoformat(),
        "places": 1,
        "status": "open",
    }
    response = client.post(reverse("missions:create"), data)
    assert response.status_code == 200
    assert "est plein (1/1 places prises)" in response.content.decode()
    data["status"] = "draft"
    assert client.post(reverse("missions:create"), data).status_code == 302


def test_the_demo_agreement_page_shows_the_full_2017_cohort_and_the_next_one(demo, client, login):
    login("anvt-officer")
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    page = client.get(agreement.get_absolute_url()).content.decode()
    quotas = page[page.index('data-testid="quotas"') :]
    assert quotas.count(">complet<") == 2  # 2017, both directions
    assert "4 / 4" in quotas and "2 / 2" in quotas
    assert f"<td>{NEXT_YEAR}</td>" in quotas


def test_the_demo_shows_its_full_2017_quotas_on_the_agreement_not_as_a_home_warning(
    demo, client, login
):
    """A past cohort's places are history (issue 18): the agreement page says "complet", the
    home page's "nearly full" panel lists current cohorts only."""
    login("anvt-manager")
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    assert ">complet<" in client.get(agreement.get_absolute_url()).content.decode()
    page = client.get(reverse("home")).content.decode()
    panel = page[page.index('id="h-quotas"') :]
    panel = panel[: panel.index("</section>")]
    assert "VIR-TG-ML-2017</a></td><td>2017" not in panel


def test_the_demo_opens_no_mission_under_a_full_quota(demo):
    open_missions = Mission.objects.filter(status="open")
    assert open_missions.exists()
    full = {q.pk for q in quota_places() if q.remaining <= 0}
    for mission in open_missions.select_related("quota"):
        assert mission.quota_id not in full
        assert mission.start_date.year == mission.quota.cohort
