"""The home page: where each exchange stands for the acting agency (all agencies for an
administrator without one). One query per panel, whatever the number of rows: every panel is
an aggregate or a short, limited list. The exchanges at a glance (an agency's chart, the
administrators' network: ``overview``) and the alerts (``alerts``) are read by requests of
their own, which the home page makes after it.

The aggregates (volunteers by status, quotas nearly full, the exchange chart) would count
hundreds of thousands of rows for a large agency: they read the counts that the database keeps
per agency, per quota and status, and the places taken per quota (``core.tallies``), exact
after every write, so nothing is cached."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import rules as access
from agencies.models import Agency
from evaluations.models import Evaluation, Finding, superseded_q
from evaluations.selectors import findings_visible_to
from exchanges.models import Agreement, AgreementStatus, Quota, in_force_q
from exchanges.selectors import agreements_awaiting_approval
from missions.models import USED_STATUSES, Placement, PlacementStatus, PlacementTally
from missions.selectors import follow_ups_due, inbox
from reports.charts import Series, grouped_bars
from reports.models import Report
from reports.selectors import reports_visible_to
from volunteers.models import Volunteer, VolunteerTally

SOON = datetime.timedelta(days=60)
FOLLOW_UP_AHEAD = datetime.timedelta(days=30)
LIST = 8  # rows per panel; the pages behind the panels have the rest
# What the placement panels show: the volunteer's name, the mission's title, dates and
# direction (its sending and host agencies).
PANEL_PLACEMENT_FIELDS = (
    "status",
    "mission_id",
    "nominated_at",
    "volunteer__first_name",
    "volunteer__last_name",
    "volunteer__anonymised_at",
    "mission__title",
    "mission__start_date",
    "mission__end_date",
    "mission__sending__acronym",
    "mission__receiving__acronym",
)


@dataclass
class Dashboard:
    agency: object | None
    volunteers_by_status: list = field(default_factory=list)
    departures: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    # None: the panel is not for this reader (their role cannot decide or approve).
    nominations: list | None = None
    quotas_near_full: list = field(default_factory=list)
    approvals_awaited: list | None = None
    recommendations_due: list = field(default_factory=list)
    follow_ups_due: list = field(default_factory=list)
    latest_reports: list = field(default_factory=list)


@dataclass
class Overview:
    """The exchanges at a glance, which the home page loads after its panels: an agency's
    chart, or the network for administrators without an agency."""

    chart: str = ""
    # The chart's data as rows of (partner and cohort, sent, hosted): the table beside it.
    chart_table: list[tuple[str, int, int]] = field(default_factory=list)
    network: Network | None = None


def _for_agency(agency, *lookups: str) -> Q:
    """Rows concerning ``agency`` through any of ``lookups``; everything for None (admin)."""
    if agency is None:
        return Q()
    q = Q()
    for lookup in lookups:
        q |= Q(**{lookup: agency})
    return q


def _pk(agency) -> int | None:
    return None if agency is None else agency.pk


def _quotas_of(agency, *sides: str) -> Q:
    """Placements under a quota where ``agency`` is on one of ``sides``: semi-joins on the
    quotas' ``(side, id)`` indexes, read without the table (joins would read every quota of a
    large agency before keeping the few placements that matter)."""
    if agency is None:
        return Q()
    q = Q()
    for side in sides:
        q |= Q(quota__in=Quota.objects.filter(**{side: agency}).values("pk"))
    return q


def dashboard(*, user, agency, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    board = Dashboard(agency=agency)
    board.volunteers_by_status = _volunteers_by_status(agency)
    board.quotas_near_full = _quotas_near_full(agency, today)

    shown = Placement.objects.select_related(
        "volunteer", "mission__sending", "mission__receiving"
    ).only(*PANEL_PLACEMENT_FIELDS)
    # A placement's agencies are its mission's (copied from the quota, and kept equal to it by
    # the database): no join to the quotas.
    placements = shown.filter(_for_agency(agency, "mission__sending", "mission__receiving"))
    # Departures and returns in one query: the LIST soonest of each, each read in date order
    # (a window over both compiled in 10 ms, more than the query ran).
    departures = placements.filter(
        status=PlacementStatus.CONFIRMED, mission__start_date__range=(today, today + SOON)
    ).order_by("mission__start_date", "pk")[:LIST]
    returns = placements.filter(
        status=PlacementStatus.DEPLOYED, mission__end_date__range=(today, today + SOON)
    ).order_by("mission__end_date", "pk")[:LIST]
    if connection.features.supports_slicing_ordering_in_compound:
        moving = departures.union(returns, all=True)
    else:  # SQLite takes no LIMIT inside a UNION: two queries there
        moving = [*departures, *returns]
    for placement in moving:
        if placement.status == PlacementStatus.CONFIRMED:
            board.departures.append(placement)
        else:
            board.returns.append(placement)
    board.departures.sort(key=lambda p: (p.mission.start_date, p.pk))
    board.returns.sort(key=lambda p: (p.mission.end_date, p.pk))
    # The host's managers confirm or decline a nomination (``agencies.rules``): the panel is
    # their inbox (``missions.selectors.inbox``) for the acting agency, and is not shown to the
    # roles who cannot decide. Longest waiting first: the few ids in that order, then their rows.
    if access.is_admin(user) or access.has_role(user, _pk(agency), access.DECIDE_PLACEMENTS):
        waiting = inbox(user=user).filter(_quotas_of(agency, "receiving"))
        board.nominations = list(
            shown.filter(pk__in=waiting.values("pk")[:LIST]).order_by("nominated_at", "pk")
        )
    # The agreements whose current version (a first submission or an amendment) this agency
    # has to approve: for its managers only; administrators approve none but see them all.
    if agency is None or access.has_role(user, agency.pk, access.APPROVE):
        awaiting = agreements_awaiting_approval(agency=agency, user=user)
        board.approvals_awaited = list(awaiting.order_by("start_date", "reference")[:LIST])

    # Recommendations owned by the agency, still open, due within SOON or overdue (the page
    # shows "overdue since" and the evaluation they belong to, where their status is changed),
    # in an evaluation that the user and the agency both see: an owner recorded wrongly (not a
    # party of the agreement) must not reveal the text.
    board.recommendations_due = list(
        findings_visible_to(user, agency=agency)
        .filter(
            _for_agency(agency, "owner"),
            kind=Finding.Kind.RECOMMENDATION,
            follow_up__in=[Finding.FollowUp.OPEN, Finding.FollowUp.IN_PROGRESS],
            due_date__lte=today + SOON,
            evaluation__status=Evaluation.Status.PUBLISHED,
        )
        .exclude(superseded_q("evaluation__"))
        .only("evaluation_id", "text", "due_date", "follow_up")
        .order_by("due_date", "pk")[:LIST]
    )
    # The follow-ups that the missions page lists (``missions.selectors.follow_ups_due``, both
    # sides), looking FOLLOW_UP_AHEAD further, for the acting agency.
    board.follow_ups_due = list(
        follow_ups_due(user=user, today=today + FOLLOW_UP_AHEAD)
        .filter(_for_agency(agency, "placement__quota__sending", "placement__quota__receiving"))
        .select_related(None)
        .select_related("placement__volunteer")
        .only(
            "due_date",
            "due_month",
            "placement__mission_id",
            "placement__volunteer__first_name",
            "placement__volunteer__last_name",
            "placement__volunteer__anonymised_at",
        )[:LIST]
    )
    # The panel names each report (its file name, else its kind) and dates it.
    board.latest_reports = list(
        reports_visible_to(user)
        .select_related(None)
        .only("filename", "kind", "created_at")
        .order_by("-created_at", "-pk")[:5]
    )
    return board


def _volunteers_by_status(agency) -> list[tuple[str, int]]:
    tallies = VolunteerTally.objects.filter(_for_agency(agency, "agency"), n__gt=0)
    labels = dict(Volunteer.Status.choices)
    return [
        (labels.get(row["status"], row["status"]), row["total"])
        for row in tallies.order_by("status").values("status").annotate(total=Sum("n"))
    ]


def _quotas_near_full(agency, today: datetime.date) -> list:
    """Quotas of current cohorts (this year's or a later one: a cohort is a year) of agreements
    approved and not over, with at most one place left, fewest first, in one query: their
    places taken are a column kept by the database (``missions.QuotaUse``, the placements
    confirmed, deployed or completed that ``quota_places`` counts), read with the columns the
    panel shows (``used``, ``binding_places``, ``remaining``). A past cohort's places are
    history, not a warning."""
    quotas = Quota.objects.filter(
        agreement__status=AgreementStatus.APPROVED, agreement__end_date__gte=today
    )
    if agency is not None:
        # The agency's quotas, from their (agency, cohort) indexes; each count is joined by its
        # quota (measured on the largest agency: 8.6 ms with its compilation, against 12.1
        # for a count subquery per quota).
        quotas = quotas.filter(Q(sending=agency) | Q(receiving=agency))
    taken = Coalesce("use__n", 0)
    return list(
        quotas.filter(cohort__gte=today.year)
        # Approved agreements: the places agreed are the approved ones (a row a pending
        # amendment adds has none, null, and is left out).
        .annotate(binding_places=F("approved_places"))
        .filter(binding_places__gt=0)
        .annotate(used=taken)
        .annotate(remaining=F("binding_places") - F("used"))
        .filter(remaining__lte=1)
        .select_related("agreement", "sending", "receiving")
        .only(
            "cohort",
            "agreement__reference",
            "sending__acronym",
            "receiving__acronym",
        )
        .order_by("remaining", "agreement__reference", "pk")[:LIST]
    )


def overview(*, agency, today: datetime.date | None = None) -> Overview:
    if agency is None:
        return Overview(network=network(today=today or timezone.localdate()))
    chart, table = _exchange_chart(agency)
    return Overview(chart=chart, chart_table=table)


CHART_GROUPS = 12


def _exchange_chart(agency) -> tuple[str, list[tuple[str, int, int]]]:
    """Volunteers sent and hosted per partner agency and cohort (placements that took a place),
    from the placement counts per quota: the twelve latest (cohort, partner) groups, in one
    grouped query."""
    sent = Q(quota__sending=agency)
    partner = Case(
        When(sent, then=F("quota__receiving__acronym")), default=F("quota__sending__acronym")
    )
    groups = list(
        PlacementTally.objects.filter(status__in=USED_STATUSES, n__gt=0)
        .filter(sent | Q(quota__receiving=agency))
        .values(cohort=F("quota__cohort"), partner=partner)
        .annotate(sent=Sum("n", filter=sent, default=0), hosted=Sum("n", filter=~sent, default=0))
        .order_by("-cohort", "-partner")[:CHART_GROUPS]
    )[::-1]
    if not groups:
        return "", []
    categories = [f"{g['partner']} {g['cohort']}" for g in groups]
    svg = grouped_bars(
        categories,
        [
            Series(_("Sent"), [g["sent"] for g in groups]),
            Series(_("Hosted"), [g["hosted"] for g in groups]),
        ],
        title=_("Volunteers sent and hosted per partner agency and year"),
    )
    return svg, [(c, g["sent"], g["hosted"]) for c, g in zip(categories, groups, strict=True)]


# --- The network (administrators) -----------------------------------------------------------

NETWORK_YEARS = 6  # year columns shown; the totals and the balance count every year
NETWORK_PAIRS = 30


@dataclass
class Pair:
    """Two agencies (``a`` before ``b`` by acronym) and what they exchanged: per year, the
    volunteers ``a`` sent to ``b`` and hosted from ``b`` (placements that took a place)."""

    a: str
    b: str
    years: dict[str, tuple[int, int]] = field(default_factory=dict)
    sent: int = 0
    hosted: int = 0
    in_force: int = 0
    agreements: int = 0
    reports: int = 0
    cells: list[tuple[int, int]] = field(default_factory=list)  # (sent, hosted) per year shown

    @property
    def balance(self) -> int:
        """Sent minus hosted, seen from ``a``: zero when the exchange is reciprocal."""
        return self.sent - self.hosted


@dataclass
class Network:
    years: list[str]
    pairs: list[Pair]
    more: bool = False  # more pairs than shown


def network(*, today: datetime.date) -> Network:
    """The pairs of agencies bound by an agreement, those with the most agreements in force
    first (NETWORK_PAIRS of them: a network of hundreds of agencies has thousands of pairs):
    volunteers sent and hosted per year (the cohort's year), the balance, the agreements in
    force and the reports on their agreements. Four queries whatever the size of the network;
    the placements are read from the counts the database keeps per quota."""
    ranked = list(
        Agreement.objects.annotate(
            lo=Least("party_a", "party_b"), hi=Greatest("party_a", "party_b")
        )
        .values("lo", "hi")
        .annotate(agreements=Count("pk"), in_force=Count("pk", filter=in_force_q(today, today)))
        .order_by("-in_force", "-agreements", "lo", "hi")[: NETWORK_PAIRS + 1]
    )
    more = len(ranked) > NETWORK_PAIRS
    ranked = ranked[:NETWORK_PAIRS]
    ids = {row["lo"] for row in ranked} | {row["hi"] for row in ranked}
    acronyms = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "acronym"))
    # The reports of the pairs shown only (counted with every pair's, they cost more than the
    # ranking itself: a join of every agreement to its reports, and distinct counts).
    reports = {
        (row["lo"], row["hi"]): row["n"]
        for row in Report.objects.filter(agreement__party_a__in=ids, agreement__party_b__in=ids)
        .annotate(
            lo=Least("agreement__party_a", "agreement__party_b"),
            hi=Greatest("agreement__party_a", "agreement__party_b"),
        )
        .values("lo", "hi")
        .annotate(n=Count("pk"))
        .order_by()
    }
    pairs: dict[tuple[int, int], Pair] = {}
    for row in ranked:
        lo, hi = sorted((row["lo"], row["hi"]), key=lambda pk: (acronyms[pk], pk))
        pairs[(row["lo"], row["hi"])] = Pair(
            a=acronyms[lo],
            b=acronyms[hi],
            in_force=row["in_force"],
            agreements=row["agreements"],
            reports=reports.get((row["lo"], row["hi"]), 0),
        )
    exchanged = (
        PlacementTally.objects.filter(
            status__in=USED_STATUSES,
            n__gt=0,
            quota__sending__in=ids,
            quota__receiving__in=ids,
        )
        .annotate(year=F("quota__cohort"))
        .values("quota__sending", "quota__receiving", "year")
        .annotate(total=Sum("n"))
        .order_by()
    )
    years = set()
    for row in exchanged:
        sender, host, year, n = (
            row["quota__sending"],
            row["quota__receiving"],
            row["year"],
            row["total"],
        )
        p = pairs.get((min(sender, host), max(sender, host)))
        if p is None:  # two agencies of the shown pairs, not a pair shown
            continue
        years.add(year)
        sent, hosted = p.years.get(year, (0, 0))
        if acronyms[sender] == p.a:
            p.years[year], p.sent = (sent + n, hosted), p.sent + n
        else:
            p.years[year], p.hosted = (sent, hosted + n), p.hosted + n
    shown = sorted(years)[-NETWORK_YEARS:]
    for p in pairs.values():
        p.cells = [p.years.get(year, (0, 0)) for year in shown]
    return Network(years=shown, pairs=sorted(pairs.values(), key=lambda p: (p.a, p.b)), more=more)
