"""The home page's panels per role and per agency (issue 18, point 3) and the administrators'
network view (point 10): each panel lists what the inbox, rule or service it stands for says."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies import rules as access
from agencies.models import Agency
from evaluations.models import Finding
from exchanges.models import Agreement, Quota
from exchanges.selectors import agreements_awaiting_approval, quota_figures
from exchanges.services import QuotaData, agreement_approve, agreement_submit, agreement_update
from missions.models import USED_STATUSES, FollowUp, Placement
from missions.selectors import follow_ups_due, inbox
from reports.models import Report
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    make_agreement,
)

User = get_user_model()

PERSONAS = [
    "anvt-manager",
    "anvt-officer",
    "anvt-evaluator",
    "anvt-partner",
    "cnpv-manager",
    "cnpv-officer",
    "vase-manager",
    "vase-officer",
    "admin",
]


def _board(client, username, login):
    login(username)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["board"], response.content.decode()


def _amend(reference: str, cohort: int, places: int = 2) -> Agreement:
    """The first party adds a cohort to an approved agreement and approves the new version: it
    now awaits the second party's approval."""
    agreement = Agreement.objects.get(reference=reference)
    a, b = agreement.party_a, agreement.party_b
    user = User.objects.get(username=f"{a.slug}-manager")
    quotas = [
        QuotaData(q.cohort, q.sending_id, q.receiving_id, q.places, q.duration_months)
        for q in agreement.quotas.all()
    ] + [QuotaData(cohort, a.pk, b.pk, places), QuotaData(cohort, b.pk, a.pk, places)]
    version = agreement_update(
        agreement=agreement, themes=list(agreement.themes.all()), quotas=quotas, user=user
    )
    agreement_approve(agreement=agreement, version_number=version.number, agency=a, user=user)
    return Agreement.objects.get(pk=agreement.pk)


def _acting(user):
    memberships = access.memberships_of(user)
    return memberships[0].agency if memberships else None


@pytest.mark.parametrize("username", PERSONAS)
def test_each_panel_lists_what_its_inbox_or_rule_says(client, login, demo, username):
    # The case: ANVT amends the Togo–Mali agreement; the new version awaits CNPV.
    _amend("VIR-TG-ML-2017", timezone.localdate().year + 2)
    board, page = _board(client, username, login)
    user = User.objects.get(username=username)
    agency = _acting(user)
    today = timezone.localdate()
    assert board.agency == agency

    # Nominations: the inbox of the user (the host's managers decide), for the acting agency.
    decides = access.is_admin(user) or access.has_role(
        user, agency and agency.pk, access.DECIDE_PLACEMENTS
    )
    waiting = inbox(user=user)
    if agency is not None:
        waiting = waiting.filter(quota__receiving=agency)
    if decides:
        assert board.nominations == list(waiting[:8])
        assert 'data-testid="panel-nominations"' in page
    else:
        # Officers, evaluators and partners decide nothing: no panel, and their inbox agrees.
        assert board.nominations is None
        assert not waiting.exists()
        assert 'data-testid="panel-nominations"' not in page

    # Agreements awaiting approval: the rule that the approval service asks, agreement by
    # agreement (administrators approve none: they see every agreement awaiting a party).
    every = Agreement.objects.order_by("start_date", "reference")
    if agency is None:
        expected = [
            a for a in every if any(a.approval_refusal(party) is None for party in a.party_ids)
        ]
        assert board.approvals_awaited == expected
    elif access.has_role(user, agency.pk, access.APPROVE):
        expected = [a for a in every if access.can_approve_for(user, a, agency.pk)]
        assert board.approvals_awaited == expected
    else:
        assert board.approvals_awaited is None
        assert not [a for a in every if access.can_approve_for(user, a, agency.pk)]
        assert 'data-testid="panel-approvals"' not in page
    if username == "cnpv-manager":
        assert [a.reference for a in board.approvals_awaited] == ["VIR-TG-ML-2017"]
    if username == "vase-manager":  # the demo's own amendment
        assert [a.reference for a in board.approvals_awaited] == ["VIR-TG-EC-2017"]
    if username == "anvt-manager":  # ANVT approved both amendments: nothing awaits it
        assert board.approvals_awaited == []

    # Follow-ups: those of the missions page (both sides), 30 days ahead.
    expected = [
        f
        for f in follow_ups_due(user=user, today=today + datetime.timedelta(days=30))
        if agency is None
        or agency.pk in (f.placement.quota.sending_id, f.placement.quota.receiving_id)
    ]
    assert board.follow_ups_due == expected[:8]

    # Quotas nearly full: current cohorts only (the demo's 2017 cohorts are full, and history).
    assert all(q.cohort >= today.year for q in board.quotas_near_full)

    # Recommendations: the open ones the agency owns, due soon or overdue.
    for finding in board.recommendations_due:
        assert agency is None or finding.owner_id == agency.pk
        assert finding.follow_up in (Finding.FollowUp.OPEN, Finding.FollowUp.IN_PROGRESS)


def test_an_amendment_awaits_the_partner_until_it_approves(client, login, demo):
    cohort = timezone.localdate().year + 2  # next year's is approved
    agreement = _amend("VIR-TG-ML-2017", cohort)
    assert agreement.status == Agreement.Status.APPROVED  # approved, and amended
    board, page = _board(client, "cnpv-manager", login)
    assert board.approvals_awaited == [agreement]
    assert "VIR-TG-ML-2017" in page
    assert agreement not in _board(client, "anvt-manager", login)[0].approvals_awaited
    cnpv_manager = User.objects.get(username="cnpv-manager")
    agreement_approve(
        agreement=agreement,
        version_number=agreement.current_version.number,
        agency=agreement.party_b,
        user=cnpv_manager,
    )
    assert _board(client, "cnpv-manager", login)[0].approvals_awaited == []


def test_the_awaiting_selector_is_the_approval_rule(db):
    """Agreements in every state of the approval cycle: the SQL selector and
    ``Agreement.approval_refusal`` agree for each party."""
    a, b = AgencyFactory(), AgencyFactory()
    ma = MembershipFactory(agency=a, role="manager").user
    mb = MembershipFactory(agency=b, role="manager").user

    def new(ref):
        return make_agreement(party_a=a, party_b=b, author=ma, reference=ref)

    new("DRAFT")
    submitted = agreement_submit(agreement=new("SUBMITTED"), user=ma)
    half = agreement_submit(agreement=new("HALF"), user=ma)
    agreement_approve(agreement=half, version_number=1, agency=a, user=ma)
    approved = agreement_submit(agreement=new("APPROVED"), user=ma)
    for party, user in ((a, ma), (b, mb)):
        agreement_approve(agreement=approved, version_number=1, agency=party, user=user)
    amended = agreement_submit(agreement=new("AMENDED"), user=ma)
    for party, user in ((a, ma), (b, mb)):
        agreement_approve(agreement=amended, version_number=1, agency=party, user=user)
    amended.refresh_from_db()
    quotas = [
        QuotaData(q.cohort, q.sending_id, q.receiving_id, q.places + 1)
        for q in amended.quotas.all()
    ]
    agreement_update(agreement=amended, themes=[], quotas=quotas, user=ma)
    assert submitted and approved
    for agreement in Agreement.objects.all():
        for party in (a, b):
            expected = agreement.approval_refusal(party.pk) is None
            assert (agreement in agreements_awaiting_approval(agency=party)) == expected, (
                agreement.reference,
                party,
            )
        either = any(agreement.approval_refusal(p) is None for p in agreement.party_ids)
        assert (agreement in agreements_awaiting_approval()) == either, agreement.reference
    assert {x.reference for x in agreements_awaiting_approval(agency=a)} == {"SUBMITTED", "AMENDED"}
    assert {x.reference for x in agreements_awaiting_approval(agency=b)} == {
        "SUBMITTED",
        "HALF",
        "AMENDED",
    }


def test_quotas_nearly_full_are_those_of_current_cohorts(client, login, demo):
    board, _ = _board(client, "anvt-manager", login)
    # The 2017 Togo–Mali places are all used, in an agreement still in force: history now.
    today = timezone.localdate()
    assert all(q.cohort >= today.year for q in board.quotas_near_full)
    assert not [q for q in board.quotas_near_full if q.agreement.reference == "VIR-TG-ML-2017"]
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    this_year = timezone.localdate().year
    quota = Quota.objects.create(
        agreement=agreement,
        cohort=this_year,
        sending=agreement.party_a,
        receiving=agreement.party_b,
        places=1,
        approved_places=1,
    )
    board, page = _board(client, "anvt-manager", login)
    assert quota.pk in [q.pk for q in board.quotas_near_full]
    assert quota_figures(quotas=Quota.objects.filter(pk=quota.pk)).get().remaining == 1
    assert "0 sur 1" in page or "0 of 1" in page


def test_overdue_recommendations_show_as_overdue_with_their_date(client, login, demo):
    board, page = _board(client, "anvt-manager", login)
    overdue = [f for f in board.recommendations_due if f.due_date < timezone.localdate()]
    assert overdue  # the 2019 recommendations of the pilot evaluation
    assert "en retard depuis le 31/03/2019" in page
    assert reverse("evaluations:detail", args=[overdue[0].evaluation_id]) in page


def _network_by_hand(today):
    """The network figures from the rows themselves, in Python."""
    pairs = {}
    for p in Placement.objects.filter(status__in=USED_STATUSES).select_related(
        "quota__sending", "quota__receiving"
    ):
        s, r = p.quota.sending.acronym, p.quota.receiving.acronym
        key = tuple(sorted((s, r)))
        row = pairs.setdefault(key, {"sent": 0, "hosted": 0, "years": {}})
        year = p.quota.cohort
        sent, hosted = row["years"].get(year, (0, 0))
        if s == key[0]:
            row["sent"] += 1
            row["years"][year] = (sent + 1, hosted)
        else:
            row["hosted"] += 1
            row["years"][year] = (sent, hosted + 1)
    for agreement in Agreement.objects.select_related("party_a", "party_b"):
        key = tuple(sorted((agreement.party_a.acronym, agreement.party_b.acronym)))
        row = pairs.setdefault(key, {"sent": 0, "hosted": 0, "years": {}})
        row["in_force"] = row.get("in_force", 0) + (agreement.phase == Agreement.Status.ACTIVE)
        row["reports"] = row.get("reports", 0) + Report.objects.filter(agreement=agreement).count()
    return pairs


def _overview(client, username, login):
    login(username)
    response = client.get(reverse("home_exchanges"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.context["overview"], response.content.decode()


def test_the_administrators_see_the_network(client, login, demo):
    network = _overview(client, "admin", login)[0].network
    assert network is not None and _overview(client, "admin", login)[0].chart == ""
    page = _overview(client, "admin", login)[1]
    by_hand = _network_by_hand(timezone.localdate())
    assert {(p.a, p.b) for p in network.pairs} == set(by_hand)
    for p in network.pairs:
        row = by_hand[(p.a, p.b)]
        assert (p.sent, p.hosted, p.balance) == (
            row["sent"],
            row["hosted"],
            row["sent"] - row["hosted"],
        )
        assert p.years == row["years"]
        assert (p.in_force, p.reports) == (row.get("in_force", 0), row.get("reports", 0))
    togo_mali = next(p for p in network.pairs if (p.a, p.b) == ("ANVT", "CNPV"))
    assert togo_mali.years[2017] == (4, 2) and togo_mali.balance == 2
    assert togo_mali.in_force == 1 and togo_mali.reports >= 2
    assert 'data-testid="network-table"' in page
    assert "ANVT ⇄ CNPV" in page
    # Members see their agency's chart, not the network.
    assert _overview(client, "anvt-manager", login)[0].network is None


def _admin_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home_exchanges"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_network_costs_the_same_queries_whatever_its_size(client, db, admin_user, monkeypatch):
    monkeypatch.setattr("dashboard.selectors.NETWORK_PAIRS", 4)
    client.force_login(admin_user)
    a, b = AgencyFactory(), AgencyFactory()
    make_agreement(party_a=a, party_b=b, author=None, reference="NET-1")
    _admin_queries(client)
    small = _admin_queries(client)
    for i in range(6):
        x, y = AgencyFactory(), AgencyFactory()
        agreement = make_agreement(party_a=x, party_b=y, author=None, reference=f"NET-{i + 2}")
        Report.objects.create(kind=Report.Kind.QUOTA, agreement=agreement)
    large = _admin_queries(client)
    assert small == large <= 6  # the session, the user, the memberships, three for the network
    network = client.get(reverse("home_exchanges")).context["overview"].network
    assert len(network.pairs) == 4 and network.more  # the busiest pairs, and a word about it


def test_follow_ups_of_the_host_show_too(client, login, demo):
    """The panel and the missions page list the same follow-ups: the host's included."""
    anvt = Agency.objects.get(acronym="ANVT")
    hosted = Placement.objects.filter(quota__receiving=anvt, status="completed").first()
    # One of its follow-ups is not recorded yet, and due since yesterday.
    FollowUp.objects.filter(pk=hosted.follow_ups.order_by("pk")[0].pk).update(
        recorded_at=None, situation="", due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    board, _ = _board(client, "anvt-officer", login)
    assert hosted.pk in {f.placement_id for f in board.follow_ups_due}
