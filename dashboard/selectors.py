"""The home page: where each exchange stands for the acting agency (all agencies for an
administrator without one). One query per panel, whatever the number of rows: every panel is
an aggregate or a short, limited list.

The three aggregates (volunteers by status, quotas nearly full, the exchange chart) would count
hundreds of thousands of rows for a large agency: they read the counts that the database keeps
per agency and per quota (``core.tallies``), exact after every write, so nothing is cached."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Evaluation, Finding
from evaluations.selectors import findings_visible_to
from exchanges.models import Agreement, AgreementStatus, Approval, Quota
from exchanges.selectors import agreements_visible_to, quota_figures
from missions.models import USED_STATUSES, FollowUp, Placement, PlacementStatus, PlacementTally
from reports.charts import Series, grouped_bars
from reports.selectors import reports_visible_to
from volunteers.models import Volunteer, VolunteerTally

SOON = datetime.timedelta(days=60)
LIST = 8  # rows per panel; the pages behind the panels have the rest


@dataclass
class Dashboard:
    agency: object | None
    volunteers_by_status: list = field(default_factory=list)
    departures: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    nominations: list = field(default_factory=list)
    quotas_near_full: list = field(default_factory=list)
    approvals_awaited: list = field(default_factory=list)
    recommendations_due: list = field(default_factory=list)
    follow_ups_due: list = field(default_factory=list)
    latest_reports: list = field(default_factory=list)
    chart: str = ""


def _for_agency(agency, *lookups: str) -> Q:
    """Rows concerning ``agency`` through any of ``lookups``; everything for None (admin)."""
    if agency is None:
        return Q()
    q = Q()
    for lookup in lookups:
        q |= Q(**{lookup: agency})
    return q


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
    board.chart = _exchange_chart(agency)

    shown = Placement.objects.select_related(
        "volunteer", "mission", "quota__sending", "quota__receiving"
    )
    placements = shown.filter(_quotas_of(agency, "sending", "receiving"))
    board.departures = list(
        placements.filter(
            status=PlacementStatus.CONFIRMED,
            mission__start_date__range=(today, today + SOON),
        ).order_by("mission__start_date", "pk")[:LIST]
    )
    board.returns = list(
        placements.filter(
            status=PlacementStatus.DEPLOYED, mission__end_date__range=(today, today + SOON)
        ).order_by("mission__end_date", "pk")[:LIST]
    )
    # The host confirms or declines a nomination: it awaits the receiving agency. Longest
    # waiting first: the few ids from a partial index in that order, then their rows.
    waiting = Placement.objects.filter(
        _quotas_of(agency, "receiving"), status=PlacementStatus.NOMINATED
    ).order_by("nominated_at", "pk")
    board.nominations = list(
        shown.filter(pk__in=waiting.values("pk")[:LIST]).order_by("nominated_at", "pk")
    )

    submitted = agreements_visible_to(user).filter(status=AgreementStatus.SUBMITTED)
    if agency is not None:
        approved_by_us = Approval.objects.filter(version=OuterRef("current_version"), agency=agency)
        submitted = submitted.filter(Q(party_a=agency) | Q(party_b=agency)).exclude(
            Exists(approved_by_us)
        )
    board.approvals_awaited = list(submitted.order_by("start_date", "reference")[:LIST])

    # Owned by the agency and in an evaluation that the user and the agency both see: an owner
    # recorded wrongly (not a party of the agreement) must not reveal the text.
    board.recommendations_due = list(
        findings_visible_to(user, agency=agency)
        .filter(
            _for_agency(agency, "owner"),
            kind=Finding.Kind.RECOMMENDATION,
            follow_up__in=[Finding.FollowUp.OPEN, Finding.FollowUp.IN_PROGRESS],
            due_date__lte=today + SOON,
            evaluation__status=Evaluation.Status.PUBLISHED,
        )
        .select_related("evaluation", "owner")
        .order_by("due_date", "pk")[:LIST]
    )
    board.follow_ups_due = list(
        FollowUp.objects.filter(
            _for_agency(agency, "placement__quota__sending"),
            recorded_at__isnull=True,
            due_date__lte=today + datetime.timedelta(days=30),
        )
        .select_related("placement__volunteer", "placement__mission")
        .order_by("due_date", "pk")[:LIST]
    )
    board.latest_reports = list(reports_visible_to(user).order_by("-created_at", "-pk")[:5])
    return board


def _volunteers_by_status(agency) -> list[tuple[str, int]]:
    tallies = VolunteerTally.objects.filter(_for_agency(agency, "agency"), n__gt=0)
    labels = dict(Volunteer.Status.choices)
    return [
        (labels.get(row["status"], row["status"]), row["total"])
        for row in tallies.order_by("status").values("status").annotate(total=Sum("n"))
    ]


def _quotas_near_full(agency, today: datetime.date) -> list:
    """Quotas of agreements in force with at most one place left: one grouped pass over their
    placement counts (kept by the database), then the figures of the few shown."""
    in_force = Agreement.objects.filter(status=AgreementStatus.APPROVED, end_date__gte=today)
    if agency is not None:
        in_force = in_force.filter(Q(party_a=agency) | Q(party_b=agency))
    used = Sum("tallies__n", filter=Q(tallies__status__in=USED_STATUSES), default=0)
    near = (
        Quota.objects.filter(agreement__in=in_force)
        .annotate(binding=Coalesce("approved_places", "places"))
        .filter(binding__gt=0)
        .annotate(left=F("binding") - used)
        .filter(left__lte=1)
        .order_by("left", "agreement__reference", "pk")
        .values("pk")[:LIST]
    )
    return list(
        quota_figures(quotas=Quota.objects.filter(pk__in=near))
        .select_related("agreement")
        .order_by("remaining", "agreement__reference", "pk")
    )


CHART_GROUPS = 12


def _chart_groups(rows) -> tuple[dict[str, int], dict[str, int]]:
    sent: dict[str, int] = {}
    hosted: dict[str, int] = {}
    for row in rows:
        if row["sent"]:
            key = f"{row['quota__receiving__acronym']} {row['quota__cohort']}"
            sent[key] = sent.get(key, 0) + row["total"]
        else:
            key = f"{row['quota__sending__acronym']} {row['quota__cohort']}"
            hosted[key] = hosted.get(key, 0) + row["total"]
    return sent, hosted


def _exchange_chart(agency) -> str:
    """Volunteers sent and hosted per partner agency and cohort (placements that took a place),
    from the placement counts per quota; the chart shows the twelve latest (partner, cohort)
    groups."""
    if agency is None:
        return ""
    mine = Q(sending=agency) | Q(receiving=agency)
    rows = (
        PlacementTally.objects.filter(status__in=USED_STATUSES, n__gt=0)
        .filter(Q(quota__sending=agency) | Q(quota__receiving=agency))
        .values("quota__cohort", "quota__sending__acronym", "quota__receiving__acronym")
        .annotate(total=Sum("n"), sent=Sum("n", filter=Q(quota__sending=agency)))
        .order_by()
    )
    # The chart shows the latest groups, sorted by cohort first: the two latest cohorts hold
    # them unless they have fewer than twelve groups. A large agency has thousands of groups,
    # and reading them all cost 200 ms more than reading its last two cohorts.
    cohorts = list(
        Quota.objects.filter(mine)
        .values_list("cohort", flat=True)
        .distinct()
        .order_by("-cohort")[:3]
    )
    if not cohorts:
        return ""
    sent, hosted = _chart_groups(rows.filter(quota__cohort__in=cohorts[:2]))
    if len(cohorts) > 2 and len(set(sent) | set(hosted)) < CHART_GROUPS:
        sent, hosted = _chart_groups(rows)
    categories = sorted(set(sent) | set(hosted), key=lambda k: (k.split()[-1], k))[-CHART_GROUPS:]
    if not categories:
        return ""
    return grouped_bars(
        categories,
        [
            Series(_("Sent"), [sent.get(c, 0) for c in categories]),
            Series(_("Hosted"), [hosted.get(c, 0) for c in categories]),
        ],
    )
