"""Programmes (issue 19): the public call form, selection and notices, the operator's choice and
the visibility it grants, support actions, and the figures against the targets."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.errors import DomainError
from missions.models import MissionStatus, Placement
from missions.services import placement_nominate
from programmes import selectors, services
from programmes.models import (
    Application,
    Call,
    Level,
    Programme,
    ProgrammeMember,
    ProgrammeMission,
    Scheme,
    SupportAction,
    Target,
)
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    eligible_volunteer,
    make_mission,
    manager_of,
)
from volunteers.eligibility import evaluate as check

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    lead = AgencyFactory(acronym="FV-T", name="France Volontaires T")
    programme = Programme.objects.create(
        name="Territoires Volontaires T",
        lead_agency=lead,
        funder="DAECT (MEAE)",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    programme.operators.add(lead)
    for kind, label, value in [
        ("missions", "250 missions", 250),
        ("authorities", "40 collectivités", 40),
        ("first_timers", "50 % primo-engagées", 50),
        ("level_balance", "Chaque niveau ≥ 15 %", 15),
    ]:
        Target.objects.create(programme=programme, kind=kind, label=label, value=value)
    Scheme.objects.create(
        programme=programme, code="service_civique", min_age=16, max_age=25,
        max_age_with_disability=30,
    )  # fmt: skip
    Scheme.objects.create(programme=programme, code="vsi", min_age=18)
    return programme


def make_call(programme, *, open_=True, slug="ami-2022"):
    now = timezone.now()
    return Call.objects.create(
        programme=programme,
        title="Appel à manifestation d’intérêt",
        slug=slug,
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=10) if open_ else now - timedelta(minutes=1),
        time_zone="Europe/Paris",
        selection_date=datetime.date(2022, 4, 5),
        questions="Pourquoi ce programme ?\nQuels partenaires ?",
    )


@pytest.fixture
def call(programme):
    return make_call(programme)


def staff(programme, role="staff"):
    user = UserFactory()
    ProgrammeMember.objects.create(programme=programme, user=user, role=role)
    return user


FORM = {
    "name": "Commune de Saint-Étienne-du-Rouvray",
    "level": "commune",
    "siren": "217606090",
    "region": "Normandie",
    "contact_name": "Anne Lefèvre",
    "contact_email": "anne@example.org",
    "contact_phone": "",
    "partners": "",
    "first_time": "on",
    "sending": "on",
    "countries": "Sénégal",
    "missions_planned": "3",
    "answers": "Pour ouvrir la commune au monde.",
}


def application(call, **fields):
    data = {
        "name": "Département du Gers",
        "level": "departement",
        "siren": "223200010",
        "region": "Occitanie",
        "contact_name": "Paul Martin",
        "contact_email": "paul@example.org",
        "contact_phone": "",
        "partners": "",
        "first_time": False,
        "sending": True,
        "hosting": False,
        "countries": "Bénin",
        "missions_planned": 2,
        "answers": "",
    }
    data.update(fields)
    return services.application_submit(call=call, data=data, themes=[])


# --- The public form ------------------------------------------------------------------------


@pytest.mark.usefixtures("tasks_in_process")
def test_it_applies_without_an_account_and_gets_a_confirmation_with_an_amend_link(
    call, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("programmes:apply", args=[call.slug]), FORM)
    assert response.status_code == 302
    created = Application.objects.get(call=call)
    assert created.name == FORM["name"] and created.first_time and created.sending
    [mail] = mailoutbox
    assert mail.to == ["anne@example.org"]
    assert "a bien été reçue" in mail.subject or "reçue" in mail.subject
    assert_links_to_amend(created, mail.body)
    assert "heure" not in mail.subject


def assert_links_to_amend(application, body):
    """``body`` holds the link that amends ``application``: its token carries the second it
    was signed, so it is read back, not compared as text with one signed later."""
    prefix = services.amend_url(application).rsplit("/", 2)[0] + "/"
    match = re.search(re.escape(prefix) + r"([^/\s]+)/", body)
    assert match and services.application_from_token(match.group(1)) == application


def test_the_form_shows_the_deadline_in_the_calls_time_zone(call):
    call.closes_at = datetime.datetime(2030, 3, 30, 22, 0, tzinfo=datetime.UTC)
    call.save()
    page = Client().get(reverse("programmes:apply", args=[call.slug])).content.decode()
    assert "30 mars 2030 23:00" in page  # 22:00 UTC: 23:00 in Paris (winter time)
    assert "Europe/Paris" in page


def test_after_the_deadline_the_form_says_so_and_refuses(programme):
    closed = make_call(programme, open_=False)
    client = Client()
    page = client.get(reverse("programmes:apply", args=[closed.slug]))
    assert page.status_code == 200
    assert 'data-testid="call-closed"' in page.content.decode()
    assert 'data-testid="application-form"' not in page.content.decode()
    response = client.post(reverse("programmes:apply", args=[closed.slug]), FORM)
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_the_service_refuses_after_the_deadline_too(programme):
    closed = make_call(programme, open_=False)
    with pytest.raises(DomainError, match="date limite"):
        application(closed)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"siren": "12345"}, "siren"),
        ({"contact_email": "pas-une-adresse"}, "contact_email"),
        ({"sending": ""}, "sending"),  # neither sending nor hosting
        ({"missions_planned": "0"}, "missions_planned"),
        ({"level": "canton"}, "level"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_saved(call, mailoutbox, change, field):
    response = Client().post(reverse("programmes:apply", args=[call.slug]), FORM | change)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Application.objects.exists()
    assert mailoutbox == []


def test_a_second_application_of_the_same_authority_is_sent_to_its_link(call):
    client = Client()
    client.post(reverse("programmes:apply", args=[call.slug]), FORM)
    response = client.post(reverse("programmes:apply", args=[call.slug]), FORM)
    assert response.status_code == 400
    assert "lien" in str(response.context["form"].errors["siren"])
    assert Application.objects.count() == 1


def test_it_amends_by_its_link_until_the_deadline(call):
    created = application(call)
    token = services.application_token(created)
    client = Client()
    url = reverse("programmes:amend", args=[token])
    assert client.get(url).status_code == 200
    data = FORM | {"siren": created.siren, "name": "Département du Gers (amendé)"}
    assert client.post(url, data).status_code == 302
    created.refresh_from_db()
    assert created.name == "Département du Gers (amendé)"

    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    response = client.post(url, data | {"name": "Trop tard"})
    assert response.status_code == 403
    created.refresh_from_db()
    assert created.name == "Département du Gers (amendé)"


def test_a_forged_or_revoked_link_finds_nothing(call):
    created = application(call)
    token = services.application_token(created)
    assert Client().get(reverse("programmes:amend", args=[token + "x"])).status_code == 404
    Application.objects.filter(pk=created.pk).update(token="revoked")
    assert Client().get(reverse("programmes:amend", args=[token])).status_code == 404


def test_the_honeypot_saves_nothing(call, mailoutbox):
    response = Client().post(
        reverse("programmes:apply", args=[call.slug]), FORM | {"website": "http://spam"}
    )
    assert response.status_code == 302  # the robot is told nothing
    assert not Application.objects.exists()
    assert mailoutbox == []


def test_an_address_posting_too_often_is_refused(call, settings):
    settings.PROGRAMME_APPLY_LIMIT_PER_HOUR = 2
    client = Client()
    url = reverse("programmes:apply", args=[call.slug])
    assert client.post(url, FORM | {"siren": "111111111"}).status_code == 302
    assert client.post(url, FORM | {"siren": "222222222"}).status_code == 302
    assert client.post(url, FORM | {"siren": "333333333"}).status_code == 429
    assert Application.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(url, FORM | {"siren": "444444444"}).status_code == 302


# --- Selection and notices ------------------------------------------------------------------


@pytest.mark.usefixtures("tasks_in_process")
def test_staff_select_and_every_applicant_is_notified_in_french_once(
    call, mailoutbox, django_capture_on_commit_callbacks
):
    user = staff(call.programme)
    a = application(call)
    b = application(call, siren="200000172", name="Région Bretagne", level="region")
    services.application_assess(
        application=a, user=user, score=16, comment="Solide", decision="laureate",
        reason="Projet solide",
    )  # fmt: skip
    close(call)
    with pytest.raises(DomainError, match="sans décision"):
        services.call_notify(call=call, user=user)  # b is still pending
    with pytest.raises(DomainError, match="raison"):
        services.application_assess(
            application=b, user=user, score=8, comment="", decision="not_selected", reason=""
        )
    services.application_assess(
        application=b, user=user, score=8, comment="", decision="not_selected",
        reason="Projet trop tardif",
    )  # fmt: skip
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.call_notify(call=call, user=user) == 2
    subjects = sorted(m.subject for m in mailoutbox)
    assert any("retenue" in s and "pas" not in s for s in subjects)
    assert any("n’est pas retenue" in s or "pas retenue" in s for s in subjects)
    laureate_mail = next(m for m in mailoutbox if m.to == ["paul@example.org"])
    assert_links_to_amend(a, laureate_mail.body)
    mailoutbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="Toutes les candidates ont été notifiées le"),
    ):
        services.call_notify(call=call, user=user)
    assert mailoutbox == []


def test_a_viewer_or_an_outsider_may_not_select(call):
    a = application(call)
    for user in (staff(call.programme, role="viewer"), UserFactory()):
        with pytest.raises(DomainError):
            services.application_assess(
                application=a, user=user, score=1, comment="", decision="laureate", reason="x"
            )
    a.refresh_from_db()
    assert a.decision == "pending"


def test_the_selection_page_shows_the_live_share_of_first_timers_and_levels(call):
    user = staff(call.programme)
    a = application(call, first_time=True)
    application(call, siren="200000172", level="region")
    services.application_assess(
        application=a, user=user, score=15, comment="", decision="laureate", reason="ok"
    )
    client = Client()
    client.force_login(user)
    page = client.get(reverse("programmes:detail", args=[call.programme.pk])).content.decode()
    assert 'data-testid="first-timer-share">100 %' in page


# --- Operators and visibility ---------------------------------------------------------------


def close(call):
    """The call's deadline passes: its applicants may be notified."""
    call.closes_at = timezone.now() - timedelta(seconds=1)
    call.save(update_fields=["closes_at"])


def notify_after_deadline(call, user) -> int:
    """Notify as if the deadline had passed, then reopen the call, so that later applications of
    the same test still go to an open call."""
    closes_at = call.closes_at
    close(call)
    try:
        return services.call_notify(call=call, user=user)
    finally:
        call.closes_at = closes_at
        call.save(update_fields=["closes_at"])


def laureate(call, user, **fields):
    a = application(call, **fields)
    services.application_assess(
        application=a, user=user, score=15, comment="", decision="laureate", reason="ok"
    )
    notify_after_deadline(call, user)
    a.refresh_from_db()
    return a


def test_the_laureate_chooses_its_operator_by_its_link_and_that_operator_sees_it(call):
    user = staff(call.programme)
    mission = make_mission(start=datetime.date(2023, 1, 1))
    operator = mission.quota.receiving
    other = AgencyFactory()
    call.programme.operators.add(operator, other)
    a = laureate(call, user)
    op_member = MembershipFactory(agency=operator, role="officer").user
    other_member = MembershipFactory(agency=other, role="manager").user
    assert not selectors.applications_visible_to(op_member).exists()

    token = services.application_token(a)
    response = Client().post(
        reverse("programmes:choose_operator", args=[token]), {"operator": operator.pk}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.operator == operator

    op_client, other_client = Client(), Client()
    op_client.force_login(op_member)
    other_client.force_login(other_member)
    assert op_client.get(reverse("programmes:application", args=[a.pk])).status_code == 200
    assert other_client.get(reverse("programmes:application", args=[a.pk])).status_code == 404
    assert other_client.get(reverse("programmes:detail", args=[call.programme.pk])).status_code == (
        404
    )
    # The operator sees the programme with its own laureates, not the dashboard.
    assert op_client.get(reverse("programmes:detail", args=[call.programme.pk])).status_code == 200
    assert op_client.get(reverse("programmes:dashboard", args=[call.programme.pk])).status_code == (
        403
    )

    # Its officer counts its mission for the laureate; the other operator may not.
    scheme = call.programme.schemes.get(code="vsi")
    url = reverse("programmes:link_mission", args=[a.pk])
    other_client.post(url, {"mission": mission.pk, "scheme": scheme.pk})
    assert not ProgrammeMission.objects.exists()
    op_client.post(url, {"mission": mission.pk, "scheme": scheme.pk})
    assert ProgrammeMission.objects.get().laureate == a


def test_only_a_programme_operator_may_be_chosen_and_only_by_a_notified_laureate(call):
    user = staff(call.programme)
    a = laureate(call, user)
    pending = application(call, siren="200000172")
    with pytest.raises(DomainError):
        services.operator_choose(application=pending, operator=call.programme.lead_agency)
    with pytest.raises(DomainError, match="opérateur"):
        services.operator_choose(application=a, operator=AgencyFactory())
    a.refresh_from_db()
    assert a.operator is None


def test_a_mission_of_another_agency_cannot_be_linked(call):
    user = staff(call.programme)
    a = laureate(call, user)
    services.operator_choose(application=a, operator=call.programme.lead_agency)
    a.refresh_from_db()
    stranger = make_mission(start=datetime.date(2023, 1, 1))
    with pytest.raises(DomainError, match="opérateur"):
        services.programme_mission_link(
            laureate=a, mission=stranger, scheme=call.programme.schemes.first(), user=user
        )


# --- Support actions ------------------------------------------------------------------------


def notified_in_2022(a):
    """The laureate was told in the programme's first months (the fixture's programme runs
    2022–2024), so that support actions can be dated within its period."""
    Application.objects.filter(pk=a.pk).update(notified_at=NOTIFIED_2022)
    a.refresh_from_db()
    return a


NOTIFIED_2022 = datetime.datetime(2022, 4, 5, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def test_staff_record_support_for_laureates_only(call):
    user = staff(call.programme)
    a = notified_in_2022(laureate(call, user))
    client = Client()
    client.force_login(user)
    data = {
        "strand": "capacity",
        "title": "Formation à la mobilisation",
        "date": "2022-06-01",
        "attendance": "12",
        "notes": "",
    }
    client.post(reverse("programmes:support_add", args=[a.pk]), data)
    assert a.support_actions.get().attendance == 12
    viewer = Client()
    viewer.force_login(staff(call.programme, role="viewer"))
    assert viewer.post(reverse("programmes:support_add", args=[a.pk]), data).status_code == 403
    assert a.support_actions.count() == 1


# --- Figures against the targets ------------------------------------------------------------


def test_share_rounds_half_up_and_has_none_without_a_whole():
    assert selectors.share(1, 8) == 13  # 12.5
    assert selectors.share(99, 200) == 50  # 49.5
    assert selectors.share(1, 3) == 33
    assert selectors.share(0, 0) is None


def test_a_share_shown_as_fifty_does_not_meet_a_fifty_percent_target(call):
    user = staff(call.programme)
    # 199 authorities would be long to build; 2 of 4 meets, 1 of 3 (33 %) does not.
    for i, first in enumerate([True, False, False]):
        laureate_only(call, user, siren=f"21000000{i}", first_time=first)
    figures = selectors.programme_figures(call.programme)
    target = next(t for t in figures.targets if t.kind == "first_timers")
    assert (target.actual, target.met) == (33, False)
    laureate_only(call, user, siren="210000009", first_time=True)
    target = next(
        t for t in selectors.programme_figures(call.programme).targets if t.kind == "first_timers"
    )
    assert (target.actual, target.met) == (50, True)


def laureate_only(call, user, **fields):
    a = application(call, **fields)
    services.application_assess(
        application=a, user=user, score=10, comment="", decision="laureate", reason="ok"
    )
    return a


def test_an_authority_with_two_applications_counts_once(programme):
    user = staff(programme)
    first_call = make_call(programme, slug="ami-1")
    second_call = make_call(programme, slug="ami-2")
    laureate_only(first_call, user, siren="217500016", level="commune", first_time=True)
    laureate_only(second_call, user, siren="217500016", level="commune", first_time=False)
    laureate_only(second_call, user, siren="200000172", level="region", first_time=False)
    application(second_call, siren="200000180", level="region", first_time=True)  # pending
    figures = selectors.programme_figures(programme)
    assert (figures.applications, figures.laureates, figures.authorities) == (4, 3, 2)
    assert (figures.first_timers, figures.first_timer_share) == (1, 50)
    levels = {label: n for label, n, _pct in figures.levels}
    assert levels[Level.COMMUNE.label] == 1 and levels[Level.REGION.label] == 1
    balance = next(t for t in figures.targets if t.kind == "level_balance")
    assert balance.actual == 0 and not balance.met  # no département, no grouping


def test_missions_count_by_status_year_and_country_and_cancelled_ones_do_not(call):
    user = staff(call.programme)
    a = laureate(call, user)
    mission = make_mission(start=datetime.date(2023, 2, 1))
    call.programme.operators.add(mission.quota.receiving)
    services.operator_choose(application=a, operator=mission.quota.receiving)
    a.refresh_from_db()
    scheme = call.programme.schemes.first()
    services.programme_mission_link(laureate=a, mission=mission, scheme=scheme, user=user)
    cancelled = make_mission(quota=mission.quota, start=datetime.date(2023, 3, 1))
    services.programme_mission_link(laureate=a, mission=cancelled, scheme=scheme, user=user)
    cancelled.status = "cancelled"
    cancelled.save()
    figures = selectors.programme_figures(call.programme)
    assert figures.missions == 1
    country = mission.host_structure.country.code
    assert figures.by_year_country == [(2023, country, 1)]
    assert "<svg" in figures.chart
    by_status = {str(label): n for label, n in figures.missions_by_status}
    assert by_status[str(MissionStatus.CANCELLED.label)] == 1
    target = next(t for t in figures.targets if t.kind == "missions")
    assert (target.actual, target.met) == (1, False)


def test_an_empty_programme_has_no_share_and_meets_no_share_target(programme):
    figures = selectors.programme_figures(programme)
    assert figures.first_timer_share is None
    assert not any(t.met for t in figures.targets)
    assert figures.chart == ""


def test_scheme_rules_feed_the_eligibility_function(programme):
    civique = programme.schemes.get(code="service_civique")
    born = datetime.date(1996, 6, 1)
    on = datetime.date(2023, 1, 1)  # 26 years old
    assert not check(born, [], on, services.scheme_rules(civique)).eligible
    assert check(born, [], on, services.scheme_rules(civique, disability=True)).eligible
    vsi = programme.schemes.get(code="vsi")
    assert check(datetime.date(1960, 1, 1), [], on, services.scheme_rules(vsi)).eligible
    assert not check(datetime.date(2006, 1, 1), [], on, services.scheme_rules(vsi)).eligible


def test_the_dashboard_is_for_staff_and_viewers_and_its_csv_carries_the_targets(call):
    client = Client()
    client.force_login(staff(call.programme, role="viewer"))
    url = reverse("programmes:dashboard", args=[call.programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="targets"' in page.content.decode()
    csv = client.get(reverse("programmes:dashboard_csv", args=[call.programme.pk]))
    assert "250 missions" in csv.content.decode("utf-8-sig")
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(url).status_code == 404


def test_a_mission_outside_the_programmes_period_does_not_count(call):
    user = staff(call.programme)
    a = laureate(call, user)
    mission = make_mission(start=datetime.date(2021, 6, 1))
    call.programme.operators.add(mission.quota.receiving)
    services.operator_choose(application=a, operator=mission.quota.receiving)
    a.refresh_from_db()
    with pytest.raises(DomainError, match="période"):
        services.programme_mission_link(
            laureate=a, mission=mission, scheme=call.programme.schemes.first(), user=user
        )
    assert not ProgrammeMission.objects.exists()


# --- Query bounds ---------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _laureates(call, user, n, start):
    for i in range(n):
        a = laureate_only(call, user, siren=f"{start + i:09d}", first_time=i % 2 == 0)
        Application.objects.filter(pk=a.pk).update(
            notified_at=timezone.now(), operator=call.programme.lead_agency
        )


def test_the_applications_list_and_the_dashboard_read_the_same_queries_for_2_and_40(call):
    user = staff(call.programme)
    client = Client()
    client.force_login(user)
    detail = reverse("programmes:detail", args=[call.programme.pk])
    dashboard = reverse("programmes:dashboard", args=[call.programme.pk])
    index = reverse("programmes:index")
    _laureates(call, user, 2, 100000000)
    small = (_queries(client, detail), _queries(client, dashboard), _queries(client, index))
    _laureates(call, user, 38, 100000100)
    response = client.get(detail)
    assert len(response.context["page"].object_list) == 40
    large = (_queries(client, detail), _queries(client, dashboard), _queries(client, index))
    assert large == small
    assert small[0] <= 16 and small[1] <= 14 and small[2] <= 8


def test_an_operator_reads_its_laureates_in_the_same_queries_for_2_and_40(call):
    user = staff(call.programme)
    operator = MembershipFactory(agency=call.programme.lead_agency, role="officer").user
    client = Client()
    client.force_login(operator)
    detail = reverse("programmes:detail", args=[call.programme.pk])
    _laureates(call, user, 2, 200000000)
    small = _queries(client, detail)
    _laureates(call, user, 38, 200000100)
    assert len(client.get(detail).context["page"].object_list) == 40
    assert _queries(client, detail) == small


def test_the_authority_becomes_a_host_structure_of_its_operator(call):
    user = staff(call.programme)
    a = laureate(call, user)
    services.operator_choose(application=a, operator=call.programme.lead_agency)
    a.refresh_from_db()
    assert a.host_structure.agency == call.programme.lead_agency
    assert (a.host_structure.name, a.host_structure.kind) == (a.name, "local_authority")
    # Choosing again finds the same structure.
    services.operator_choose(application=a, operator=call.programme.lead_agency)
    a.refresh_from_db()
    assert call.programme.lead_agency.host_structures.filter(name=a.name).count() == 1


def test_the_mission_choice_offers_the_newest_and_finds_the_others_by_search(call):
    """A large operator carries thousands of missions: the select offers the 50 newest (or those
    matching the search), and an older one is still found by its title and accepted."""
    user = staff(call.programme)
    first = make_mission(start=datetime.date(2023, 1, 1), title="Jardin partagé de Plougastel")
    operator, quota = first.quota.receiving, first.quota
    for n in range(51):
        make_mission(quota=quota, start=datetime.date(2023, 2, 1), title=f"Mission {n}", places=1)
    call.programme.operators.add(operator)
    a = laureate(call, user)
    services.operator_choose(application=a, operator=operator)
    officer = MembershipFactory(agency=operator, role="officer").user
    client = Client()
    client.force_login(officer)
    url = reverse("programmes:application", args=[a.pk])

    page = client.get(url).content.decode()
    assert page.count('<option value="') - page.count('<option value="" ') <= 50 + 3  # + schemes
    assert "Mission 50" in page and "Jardin partagé" not in page
    assert 'data-testid="mission-choices-note">' in page and "50" in page

    found = client.get(url, {"mission": "jardin partage"}).content.decode()
    assert "Jardin partagé de Plougastel" in found and "Mission 50" not in found

    scheme = call.programme.schemes.get(code="vsi")
    client.post(
        reverse("programmes:link_mission", args=[a.pk]), {"mission": first.pk, "scheme": scheme.pk}
    )
    assert ProgrammeMission.objects.get().mission == first


def test_a_programme_mission_takes_only_volunteers_eligible_under_its_scheme(call):
    """The scheme's rules (volunteers.eligibility through ``scheme_rules``) bind the nominations
    of a mission counted for a laureate, on top of the agreement's."""
    user = staff(call.programme)
    start = datetime.date(2023, 1, 1)
    mission = make_mission(start=start)
    call.programme.operators.add(mission.quota.receiving)
    a = laureate(call, user)
    services.operator_choose(application=a, operator=mission.quota.receiving)
    a.refresh_from_db()
    scheme = call.programme.schemes.get(code="vsi")
    scheme.min_age = 24  # stricter than the agreement's 18
    scheme.save()
    services.programme_mission_link(laureate=a, mission=mission, scheme=scheme, user=user)
    sender = mission.quota.sending
    young = eligible_volunteer(sender, on=start)  # 22: eligible under the agreement
    manager = manager_of(sender)
    with pytest.raises(DomainError, match="dispositif"):
        placement_nominate(mission=mission, volunteer=young, user=manager)
    assert not Placement.objects.filter(volunteer=young).exists()
    older = eligible_volunteer(sender, on=start)
    older.birth_date = datetime.date(1998, 6, 1)  # 24 on the mission's start
    older.save()
    assert placement_nominate(mission=mission, volunteer=older, user=manager).pk


# --- A refused form keeps what was typed (walk 5, F1) ---------------------------------------


def staff_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_invalid_assessment_comes_back_with_what_was_typed_and_its_error(call):
    user = staff(call.programme)
    a = application(call)
    response = staff_client(user).post(
        reverse("programmes:assess", args=[a.pk]),
        {
            "score": "25",
            "comment": "Portage politique solide",
            "decision": "laureate",
            "reason": "Projet mûr",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "inférieure ou égale à 20" in page
    assert "Portage politique solide" in page and "Projet mûr" in page
    a.refresh_from_db()
    assert (a.score, a.comment, a.decision, a.reason) == (None, "", "pending", "")


def test_an_assessment_the_service_refuses_comes_back_with_its_error_on_the_field(call):
    user = staff(call.programme)
    a = application(call)
    response = staff_client(user).post(
        reverse("programmes:assess", args=[a.pk]),
        {"score": "12", "comment": "Dossier incomplet", "decision": "not_selected", "reason": ""},
    )
    assert response.status_code == 200
    form = response.context["assess_form"]
    assert form.errors["reason"] == ["Indiquez la raison de la décision."]
    assert "Dossier incomplet" in response.content.decode()
    a.refresh_from_db()
    assert (a.score, a.decision) == (None, "pending")


def test_an_invalid_support_action_comes_back_with_what_was_typed_and_its_errors(call):
    user = staff(call.programme)
    a = notified_in_2022(laureate(call, user))
    response = staff_client(user).post(
        reverse("programmes:support_add", args=[a.pk]),
        {"strand": "capacity", "title": "", "date": "2022-06-01", "attendance": "-3",
         "notes": "Salle du conseil"},
    )  # fmt: skip
    assert response.status_code == 200
    form = response.context["support_form"]
    assert set(form.errors) == {"title", "attendance"}
    page = response.content.decode()
    assert "supérieure ou égale à 0" in page and "Salle du conseil" in page
    assert not a.support_actions.exists()


# --- The reason told to the applicant stays (walk 5, F2) ------------------------------------


def test_once_notified_the_reason_is_frozen_but_score_and_comment_may_change(call):
    user = staff(call.programme)
    a = laureate(call, user)
    with pytest.raises(DomainError, match="ne peut plus changer") as refused:
        services.application_assess(
            application=a, user=user, score=18, comment="Revu", decision="laureate",
            reason="Motif changé après notification",
        )  # fmt: skip
    assert refused.value.field == "reason"
    a.refresh_from_db()
    assert (a.score, a.comment, a.reason) == (15, "", "ok")
    services.application_assess(
        application=a, user=user, score=18, comment="Revu", decision="laureate", reason="ok"
    )
    a.refresh_from_db()
    assert (a.score, a.comment, a.reason) == (18, "Revu", "ok")


def test_the_page_refuses_a_new_reason_after_the_notice_and_offers_it_read_only(call):
    user = staff(call.programme)
    a = laureate(call, user)
    client = staff_client(user)
    page = client.get(reverse("programmes:application", args=[a.pk])).content.decode()
    assert re.search(r'<textarea[^>]*name="reason"[^>]*readonly', page)
    response = client.post(
        reverse("programmes:assess", args=[a.pk]),
        {"score": "18", "comment": "Revu", "decision": "laureate", "reason": "Autre motif"},
    )
    assert response.status_code == 200
    assert "ne peut plus changer" in response.content.decode()
    a.refresh_from_db()
    assert (a.score, a.comment, a.reason) == (15, "", "ok")


# --- Notices only after the deadline (walk 5, F11) ------------------------------------------


def test_applicants_are_notified_only_after_the_deadline_named_in_the_calls_zone(call):
    user = staff(call.programme)
    day = timezone.localdate() + timedelta(days=12)
    call.closes_at = datetime.datetime(
        day.year, day.month, day.day, 23, 59, tzinfo=zoneinfo.ZoneInfo("America/Guadeloupe")
    )
    call.time_zone = "America/Guadeloupe"
    call.save()
    a = application(call)
    services.application_assess(
        application=a, user=user, score=9, comment="", decision="not_selected", reason="Tardif"
    )
    with pytest.raises(DomainError, match="L’appel est ouvert jusqu’au") as refused:
        services.call_notify(call=call, user=user)
    assert "23:59 (America/Guadeloupe)" in refused.value.message  # 03:59 or 04:59 in Paris
    a.refresh_from_db()
    assert a.notified_at is None
    close(call)
    assert services.call_notify(call=call, user=user) == 1


def test_the_notify_button_waits_for_the_deadline_and_says_when_all_were_notified(call):
    user = staff(call.programme)
    a = application(call)
    services.application_assess(
        application=a, user=user, score=9, comment="", decision="not_selected", reason="Tardif"
    )
    client = staff_client(user)
    detail = reverse("programmes:detail", args=[call.programme.pk])
    notify = reverse("programmes:notify", args=[call.pk])

    page = client.get(detail).content.decode()
    assert notify not in page and "notifiez après sa date limite" in page
    response = client.post(notify, follow=True)
    assert "notifiez après sa date limite" in response.content.decode()
    a.refresh_from_db()
    assert a.notified_at is None

    close(call)
    assert notify in client.get(detail).content.decode()
    response = client.post(notify, follow=True)
    assert "Candidates notifiées : 1." in response.content.decode()

    page = client.get(detail).content.decode()
    a.refresh_from_db()
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    notified_on = date_format(timezone.localdate(a.notified_at, timezone=paris), "DATE_FORMAT")
    assert notify not in page
    assert f"Toutes les candidates ont été notifiées le {notified_on}." in page
    response = client.post(notify, follow=True).content.decode()
    assert "Candidates notifiées : 0." not in response
    assert f"Toutes les candidates ont été notifiées le {notified_on}." in response


@pytest.mark.usefixtures("tasks_in_process")
def test_the_confirmation_gives_the_deadline_with_its_time_zone(
    call, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application(call)
    [mail] = mailoutbox
    assert "(Europe/Paris)" in mail.body


# --- Support actions: recorded once they took place, within the programme (walk 5, F12) -----


def support(a, user, **fields):
    data = {"strand": "capacity", "title": "Formation", "date": datetime.date(2022, 6, 1),
            "attendance": 12, "notes": ""}  # fmt: skip
    data.update(fields)
    return services.support_action_add(laureate=a, user=user, data=data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date": datetime.date(2022, 4, 4)}, "ne peut pas précéder le 5 avril 2022"),
        ({"date": datetime.date(2025, 1, 1)}, "ne peut pas suivre la fin du programme"),
        ({"attendance": SupportAction.MAX_ATTENDANCE + 1}, "entre 0 et 10000"),
    ],
)
def test_a_support_action_out_of_bounds_is_refused_and_nothing_is_saved(call, fields, message):
    user = staff(call.programme)
    a = notified_in_2022(laureate(call, user))
    with pytest.raises(DomainError, match=message):
        support(a, user, **fields)
    assert not a.support_actions.exists()


def test_a_support_action_is_not_dated_in_the_future_even_within_the_programme(call):
    user = staff(call.programme)
    call.programme.end_date = timezone.localdate() + timedelta(days=400)
    call.programme.save()
    a = notified_in_2022(laureate(call, user))
    with pytest.raises(DomainError, match="ne peut pas être dans le futur"):
        support(a, user, date=timezone.localdate() + timedelta(days=2))
    support(a, user, date=timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/Paris")))
    assert a.support_actions.count() == 1


def test_a_support_action_is_not_dated_before_the_programmes_start(call):
    user = staff(call.programme)
    a = laureate_only(call, user)  # not notified yet: the programme's start bounds it
    a.refresh_from_db()
    with pytest.raises(DomainError, match="ne peut pas précéder le début du programme"):
        support(a, user, date=datetime.date(2021, 12, 31))
    assert not a.support_actions.exists()


def test_a_support_action_on_each_bound_is_recorded_and_one_beyond_is_not(call):
    user = staff(call.programme)
    a = notified_in_2022(laureate(call, user))
    most = SupportAction.MAX_ATTENDANCE
    support(a, user, date=datetime.date(2022, 4, 5))  # the day of the notice
    support(a, user, date=datetime.date(2024, 12, 31), attendance=most)  # the programme's end
    for beyond in (
        {"date": datetime.date(2022, 4, 4)},
        {"date": datetime.date(2025, 1, 1)},
        {"attendance": most + 1},
    ):
        with pytest.raises(DomainError):
            support(a, user, **beyond)
    assert a.support_actions.count() == 2


def test_the_support_form_refuses_an_implausible_attendance_and_a_year_out_of_the_period(call):
    user = staff(call.programme)
    a = notified_in_2022(laureate(call, user))
    client = staff_client(user)
    url = reverse("programmes:support_add", args=[a.pk])
    data = {"strand": "capacity", "title": "Atelier", "date": "2022-06-01",
            "attendance": "999999999", "notes": ""}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "inférieure ou égale à 10000" in response.content.decode()
    page = client.get(reverse("programmes:application", args=[a.pk])).content.decode()
    assert 'max="10000"' in page
    for day in ("2010-01-01", "2035-01-01"):
        response = client.post(url, {**data, "attendance": "12", "date": day})
        assert response.status_code == 200
        assert response.context["support_form"].errors["date"]
    assert not a.support_actions.exists()


def test_an_operator_party_to_no_agreement_is_told_why_no_mission_can_be_counted(
    demo, login, client
):
    """The Agence du Service Civique operates laureates but is party to no agreement: its
    laureates' pages say so rather than offer a mission select that can hold no option."""
    laureate = Application.objects.filter(
        operator__acronym="ASC", decision=Application.Decision.LAUREATE
    ).first()
    assert laureate is not None
    login("asc-officer")
    page = client.get(reverse("programmes:application", args=[laureate.pk])).content.decode()
    assert "ASC n’est partie à aucune convention sur la plateforme" in page
    assert reverse("programmes:link_mission", args=[laureate.pk]) not in page
