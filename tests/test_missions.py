"""Mission pages: who sees and does what, bounded queries, and the demo's story."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchanges.models import Agreement
from exchanges.selectors import quota_figures
from missions.models import Mission, Placement
from tests.factories import (
    ExperienceFactory,
    MembershipFactory,
    VolunteerFactory,
    checklist_done,
    eligible_volunteer,
    make_mission,
)
from volunteers.selectors import volunteers_visible_to

pytestmark = pytest.mark.django_db

MALI_NOW = "Volontariat et citoyenneté à Bamako"
MINDO = "Conservación del bosque nublado en Mindo"


def test_the_demo_fills_the_2017_cohort_of_the_togo_mali_exchange(demo):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    figures = {
        (q.sending.acronym, q.receiving.acronym): (q.binding_places, q.completed, q.used)
        for q in quota_figures(quotas=agreement.quotas.filter(cohort=2017))
    }
    assert figures == {("ANVT", "CNPV"): (4, 4, 4), ("CNPV", "ANVT"): (2, 2, 2)}
    completed = Placement.objects.filter(quota__agreement=agreement, status="completed")
    assert {p.mission.start_date for p in completed} == {datetime.date(2017, 10, 2)}
    assert all(p.follow_ups.count() == 3 for p in completed)
    for p in completed.select_related("mission__quota__agreement", "volunteer"):
        assert p.volunteer.status == "returned"
    countries = set(Mission.objects.values_list("host_structure__country", flat=True))
    assert {"ML", "TG", "FR", "EC"} <= countries


def test_the_demo_is_idempotent(demo):
    from devtools.demo import load_demo

    counts = (Mission.objects.count(), Placement.objects.count())
    load_demo()
    assert (Mission.objects.count(), Placement.objects.count()) == counts


def test_an_agency_neither_sender_nor_host_gets_404(demo, client, login):
    login("gip-pnvb-manager")
    mission = Mission.objects.get(title=MALI_NOW)
    placement = Placement.objects.filter(mission__quota__agreement__reference="VIR-TG-ML-2017")
    assert client.get(reverse("missions:detail", args=[mission.pk])).status_code == 404
    assert client.get(reverse("missions:nominate", args=[mission.pk])).status_code == 404
    for name in ("confirm", "decline", "cancel", "withdraw"):
        url = reverse(f"missions:{name}", args=[placement.first().pk])
        assert client.post(url).status_code == 404
    response = client.get(reverse("missions:index"))
    assert MALI_NOW not in response.content.decode()


def test_vase_partner_cannot_confirm_but_vase_manager_can(demo, client, login):
    placement = Placement.objects.get(mission__title=MINDO, status="nominated")
    url = reverse("missions:confirm", args=[placement.pk])
    login("vase-partner")
    assert client.get(reverse("missions:detail", args=[placement.mission_id])).status_code == 200
    assert client.post(url).status_code == 403
    placement.refresh_from_db()
    assert placement.status == "nominated"
    login("vase-manager")
    assert client.post(url).status_code == 302
    placement.refresh_from_db()
    assert placement.status == "confirmed"


def test_the_host_sees_a_reduced_profile_of_a_nominated_volunteer(demo, client, login):
    placement = Placement.objects.get(mission__title=MINDO, status="nominated")
    user = login("vase-officer")
    assert volunteers_visible_to(user).filter(pk=placement.volunteer_id).exists()
    assert not user.has_perm("vir.view_full_volunteer", placement.volunteer)
    detail = client.get(reverse("missions:detail", args=[placement.mission_id]))
    assert placement.volunteer.full_name in detail.content.decode()
    assert placement.volunteer.email not in detail.content.decode()
    assert (
        client.get(reverse("volunteers:detail", args=[placement.volunteer_id])).status_code == 403
    )


def test_the_host_inbox_lists_nominations_and_the_host_confirms_one(demo, client, login):
    login("anvt-manager")
    placement = Placement.objects.get(mission__title="Reboisement et écologie à Kpalimé")
    inbox = client.get(reverse("missions:inbox"))
    assert placement.volunteer.full_name in inbox.content.decode()
    assert client.get(reverse("missions:confirm", args=[placement.pk])).status_code == 405
    # Next year's places from Mali to Togo are free (those of 2017 are all used: a full quota
    # refuses, tests/test_places_left.py).
    client.post(reverse("missions:confirm", args=[placement.pk]), follow=True)
    placement.refresh_from_db()
    assert placement.status == "confirmed"


def test_a_refused_nomination_shows_the_rule_in_french(demo, client, login):
    login("anvt-officer")
    mission = Mission.objects.get(title=MALI_NOW)
    too_old = VolunteerFactory(
        sending_agency=mission.quota.sending, birth_date=datetime.date(1980, 1, 1)
    )
    ExperienceFactory(volunteer=too_old)
    response = client.post(
        reverse("missions:nominate", args=[mission.pk]), {"volunteer": too_old.pk}, follow=True
    )
    assert "n’est pas éligible" in response.content.decode()
    assert not Placement.objects.filter(volunteer=too_old).exists()


def test_nominate_then_record_the_whole_way_through_the_pages(demo, client, login, today_is):
    from missions.placement_dates import add_months

    mission = Mission.objects.get(title=MINDO)
    # Recorded once they happened: the clock past the mission's 3-month follow-up.
    today_is(add_months(mission.end_date, 3) + datetime.timedelta(days=1))
    volunteer = eligible_volunteer(mission.quota.sending, on=mission.start_date)
    login("anvt-officer")
    client.post(reverse("missions:nominate", args=[mission.pk]), {"volunteer": volunteer.pk})
    placement = Placement.objects.get(volunteer=volunteer)
    login("vase-manager")
    client.post(reverse("missions:confirm", args=[placement.pk]))
    checklist_done(placement)
    login("anvt-officer")
    client.post(
        reverse("missions:deploy", args=[placement.pk]),
        {"departure_date": mission.start_date.isoformat()},
    )
    client.post(
        reverse("missions:complete", args=[placement.pk]),
        {"return_date": mission.end_date.isoformat()},
    )
    placement.refresh_from_db()
    assert placement.status == "completed"
    follow_up = placement.follow_ups.get(due_month=3)
    client.post(
        reverse("missions:follow_up", args=[follow_up.pk]),
        {"situation": "employed", "note": "Embauché à Lomé"},
    )
    follow_up.refresh_from_db()
    assert (follow_up.situation, follow_up.recorded_by.username) == ("employed", "anvt-officer")
    page = client.get(reverse("missions:detail", args=[mission.pk])).content.decode()
    for status in ("Proposé par", "Confirmé par", "En mission", "Mission accomplie"):
        assert status in page


def _nominate_page_queries(client, mission):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("missions:nominate", args=[mission.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_nominate_page_issues_the_same_queries_for_10_and_200_volunteers(client):
    mission = make_mission(start=datetime.date(2018, 1, 1))
    officer = MembershipFactory(agency=mission.quota.sending, role="officer").user
    client.force_login(officer)
    for _ in range(10):
        eligible_volunteer(mission.quota.sending)
    small = _nominate_page_queries(client, mission)
    for _ in range(190):
        eligible_volunteer(mission.quota.sending)
    assert _nominate_page_queries(client, mission) == small


@pytest.mark.parametrize("cap", [1_000, 4])
def test_the_nominate_search_pages_its_candidates_in_name_order(client, monkeypatch, cap):
    """A search on the nominate page reads its page as the volunteer list does: by id (fewer
    matches than the cap), or in name order up to where a sample of the matches ends the page.
    Withdrawn and anonymised volunteers are never offered."""
    import missions.views
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", cap)
    monkeypatch.setattr(missions.views, "PAGE_SIZE", 2)
    mission = make_mission(start=datetime.date(2018, 1, 1))
    client.force_login(MembershipFactory(agency=mission.quota.sending, role="officer").user)
    for name in ["Sossou-E", "Sossou-A", "Sossou-D", "Sossou-C", "Sossou-B", "Amégah"]:
        eligible_volunteer(mission.quota.sending, last_name=name)
    eligible_volunteer(mission.quota.sending, last_name="Sossou-0", status="withdrawn")
    eligible_volunteer(
        mission.quota.sending, last_name="Sossou-1", anonymised_at="2020-01-01T00:00Z"
    )
    url = reverse("missions:nominate", args=[mission.pk])

    def names(**query):
        return [v.last_name for v in client.get(url, query).context["page"].object_list]

    assert names(q="sossou") == ["Sossou-A", "Sossou-B"]
    assert names(q="sossou", page=2) == ["Sossou-C", "Sossou-D"]
    assert names(q="SOSSOU", page=3) == (["Sossou-E"] if cap > 5 else ["Sossou-C", "Sossou-D"])
    assert names(q="amegah") == ["Amégah"]


def test_the_mission_list_issues_the_same_queries_for_few_and_many_missions(client):
    mission = make_mission()
    officer = MembershipFactory(agency=mission.quota.receiving, role="officer").user
    client.force_login(officer)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("missions:index"))
    small = len(ctx.captured_queries)
    for i in range(30):
        make_mission(quota=mission.quota, title=f"Mission {i}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("missions:index"))
    assert response.content.decode().count("Mission ") >= 30
    assert len(ctx.captured_queries) == small


@pytest.mark.parametrize("params", [{}, {"q": "Appui"}, {"status": "open"}])
def test_every_mission_is_reached_past_the_count_in_the_lists_order(client, monkeypatch, params):
    """Newest first, then by title: past the counted pages, "next" goes on after the last
    mission shown (dates and titles repeat: the id keeps the order total)."""
    import missions.views
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(missions.views, "PAGE_SIZE", 2)
    first = make_mission(start=datetime.date(2018, 3, 1), title="Appui B")
    for i, day in enumerate([1, 1, 15, 15, 15, 1, 20]):
        make_mission(
            quota=first.quota, start=datetime.date(2018, 3, day), title=f"Appui {'BAC'[i % 3]}"
        )
    client.force_login(MembershipFactory(agency=first.quota.receiving, role="officer").user)
    url = reverse("missions:index")
    expected = list(
        Mission.objects.order_by("-start_date", "title", "pk").values_list("pk", flat=True)
    )
    seen = []
    for number in (1, 2):
        page = client.get(url, {**params, "page": number})
        seen += [m.pk for m in page.context["page"].object_list]
    assert "Plus de 4 missions." in page.content.decode()
    position = page.context["next_position"]
    while position:
        page = client.get(url, {**params, "after": position})
        assert page.context["page"].is_keyset
        seen += [m.pk for m in page.context["page"].object_list]
        position = page.context["next_position"]
    assert seen == expected and len(seen) == 8
    # And back, "Previous" after "Previous", to the first rows.
    last = [m.pk for m in page.context["page"].object_list]
    assert f"before={page.context['page'].previous_position}" in page.content.decode()
    position, back = page.context["page"].previous_position, []
    while position:
        page = client.get(url, {**params, "before": position})
        back = [m.pk for m in page.context["page"].object_list] + back
        assert page.context["next_position"]  # and forward again from there
        position = page.context["page"].previous_position
    assert back + last == expected


def test_the_mission_page_issues_the_same_queries_for_few_and_many_placements(client):
    from missions.services import placement_nominate

    mission = make_mission(places=10)
    officer = MembershipFactory(agency=mission.quota.receiving, role="manager").user
    client.force_login(officer)

    def nominate(n):
        for _ in range(n):
            volunteer = eligible_volunteer(mission.quota.sending)
            placement_nominate(mission=mission, volunteer=volunteer, user=None)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("missions:detail", args=[mission.pk]))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    nominate(1)
    few = queries()
    nominate(8)
    assert queries() == few


def test_the_missions_page_shows_the_follow_ups_due(client):
    from missions.services import (
        placement_complete,
        placement_confirm,
        placement_deploy,
        placement_nominate,
    )

    mission = make_mission()
    volunteer = eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement_confirm(placement=placement, user=None)
    checklist_done(placement)
    placement_deploy(placement=placement, user=None, departure_date=mission.start_date)
    placement_complete(placement=placement, user=None, return_date=mission.end_date)
    officer = MembershipFactory(agency=mission.quota.sending, role="officer").user
    client.force_login(officer)
    due = client.get(reverse("missions:index")).content.decode()
    assert "Suivis à faire" in due and volunteer.full_name in due
    assert "3 mois après le retour" in due
    outsider = MembershipFactory(role="officer").user
    client.force_login(outsider)
    assert volunteer.full_name not in client.get(reverse("missions:index")).content.decode()


def test_it_finds_missions_by_title_city_or_host_structure(client):
    from tests.factories import HostStructureFactory

    mission = make_mission(title="Reboisement")
    other = make_mission(
        quota=mission.quota,
        title="Alphabétisation",
        host_structure=HostStructureFactory(agency=mission.quota.receiving, name="Lycée de Kati"),
    )
    officer = MembershipFactory(agency=mission.quota.receiving, role="officer").user
    client.force_login(officer)

    def found(q):
        response = client.get(reverse("missions:index"), {"q": q})
        return {m.pk for m in response.context["page"].object_list}

    assert found("reboise") == {mission.pk}
    assert found("kati") == {other.pk}  # the host structure's name
    assert found("bamako") == {mission.pk, other.pk}  # the city
    assert found("nowhere") == set()


def test_a_mission_carries_its_quotas_agencies_through_a_move(client):
    """The list filters missions on their own copy of the quota's agencies: set on creation,
    and following the mission to another quota."""
    from missions.services import mission_update

    mission = make_mission(start=datetime.date(2018, 1, 1))
    quota = mission.quota
    assert (mission.sending_id, mission.receiving_id) == (quota.sending_id, quota.receiving_id)
    other = make_mission(start=datetime.date(2018, 1, 1)).quota
    mission.quota = other
    mission.host_structure = other.receiving.host_structures.first()
    mission_update(mission=mission, user=None)
    mission.refresh_from_db()
    assert (mission.sending_id, mission.receiving_id) == (other.sending_id, other.receiving_id)
    client.force_login(MembershipFactory(agency=other.receiving, role="officer").user)
    listed = client.get(reverse("missions:index")).context["page"].object_list
    assert mission in listed
    client.force_login(MembershipFactory(agency=quota.receiving, role="officer").user)
    assert mission not in client.get(reverse("missions:index")).context["page"].object_list


@pytest.mark.postgres
def test_the_database_keeps_a_missions_agencies_equal_to_its_quotas():
    """A composite foreign key (migration 0015): a copy that differs is refused, a change of
    the quota's agencies is followed."""
    from django.db import IntegrityError, transaction

    from agencies.models import Agency
    from tests.factories import AgencyFactory

    mission = make_mission(start=datetime.date(2018, 1, 1))
    stranger = AgencyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.filter(pk=mission.pk).update(receiving=stranger)
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    mission.quota.__class__.objects.filter(pk=mission.quota_id).update(receiving=stranger)
    connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Mission.objects.get(pk=mission.pk).receiving == stranger
    assert Agency.objects.filter(pk=stranger.pk).exists()


def test_the_mission_lists_deep_page_reads_its_ids_from_the_missions_alone(client, monkeypatch):
    """Past the first page, the page's ids come from the missions table alone (its order
    index holds the agencies and the searched text), then the rows by id with their joins."""
    import missions.views

    monkeypatch.setattr(missions.views, "PAGE_SIZE", 2)
    first = make_mission(title="Appui 0")
    for i in range(1, 5):
        make_mission(quota=first.quota, title=f"Appui {i}")
    client.force_login(MembershipFactory(agency=first.quota.sending, role="officer").user)
    expected = list(
        Mission.objects.order_by("-start_date", "title", "pk").values_list("pk", flat=True)
    )
    for query in ({}, {"q": "appui"}):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("missions:index"), {**query, "page": 2}).context["page"]
        assert [m.pk for m in page.object_list] == expected[2:4]
        ids = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith('SELECT "missions_mission"."id" AS "pk" FROM')
            and "COUNT" not in q["sql"]
        ]
        assert len(ids) == 1 and " JOIN " not in ids[0], ids
