"""Reads of programmes: the visibility twins of the rules in ``agencies/rules.py`` and the
programme's figures against its targets (aggregates in SQL, one query per section)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.rules import PROGRAMME_READERS, agency_ids_of, is_admin
from missions.models import MissionStatus
from reports.charts import Series, grouped_bars

from .models import Application, Call, Level, Programme, ProgrammeMember, ProgrammeMission, Target


def _reader_of(user, programme_field: str) -> Exists:
    return Exists(
        ProgrammeMember.objects.filter(
            user=user, role__in=PROGRAMME_READERS, programme=OuterRef(programme_field)
        )
    )


def applications_visible_to(user) -> QuerySet[Application]:
    """Twin of ``vir.view_application``: the programme's staff and viewers see every application;
    a chosen operator's members see the laureates that chose it."""
    qs = Application.objects.all()
    if is_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(
        _reader_of(user, "call__programme")
        | Q(decision=Application.Decision.LAUREATE, operator__in=agency_ids_of(user))
    )


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Programmes whose staff or viewers the user is, or with a laureate the user's agency
    operates (that operator sees the programme's page with its own laureates only)."""
    qs = Programme.objects.all()
    if is_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    operated = Application.objects.filter(
        call__programme=OuterRef("pk"),
        decision=Application.Decision.LAUREATE,
        operator__in=agency_ids_of(user),
    )
    return qs.filter(_reader_of(user, "pk") | Exists(operated))


def application_list(*, user, programme: Programme, decision: str = "") -> QuerySet[Application]:
    missions_of = (
        ProgrammeMission.objects.filter(laureate=OuterRef("pk"))
        .order_by()
        .values("laureate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        applications_visible_to(user)
        .filter(call__programme=programme)
        .select_related("call", "operator")
        # A correlated count, not a join with GROUP BY: the paginator's count stays a plain
        # count of the applications.
        .annotate(missions=Coalesce(Subquery(missions_of), 0))
        .order_by("name", "pk")
    )
    if decision:
        qs = qs.filter(decision=decision)
    return qs


# --- Figures against the targets ------------------------------------------------------------


def share(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, rounded half up (12.5 → 13); None without a
    whole. Only for display: whether a target is met compares the exact fraction."""
    if not whole:
        return None
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


class TargetStatus(models.TextChoices):
    """Where a target stands: met, or not met while the programme runs (not yet), or not met
    once its end date has passed (missed: no later figure can meet it in time)."""

    MET = "met", gettext_lazy("met")
    NOT_YET = "not_yet", gettext_lazy("not yet")
    MISSED = "missed", gettext_lazy("missed")


@dataclass
class TargetProgress:
    label: str
    kind: str
    target: int
    actual: int | None  # a number, or a percentage for shares
    met: bool
    percent: bool = False
    status: str = TargetStatus.NOT_YET

    @property
    def status_label(self) -> str:
        return str(TargetStatus(self.status).label)


@dataclass
class Figures:
    applications: int = 0
    laureates: int = 0  # applications selected
    authorities: int = 0  # distinct laureate authorities (by SIREN)
    first_timers: int = 0
    first_timer_share: int | None = None
    levels: list[tuple[str, int, int | None]] = field(default_factory=list)  # label, n, share
    missions_by_status: list[tuple[str, int]] = field(default_factory=list)
    missions: int = 0  # missions counting towards the target (not cancelled)
    by_year_country: list[tuple[int, str, int]] = field(default_factory=list)
    targets: list[TargetProgress] = field(default_factory=list)
    chart: str = ""


def laureate_figures(applications: QuerySet[Application]) -> dict[str, int]:
    """Applications, laureates, distinct authorities, first-timers among them and authorities
    per level: one query. An authority is counted once, whatever its number of applications
    (two calls, say); it is a first-timer if one of its selected applications says so (the
    first one does)."""
    laureate = Q(decision=Application.Decision.LAUREATE)
    per_level = {
        f"level_{value}": Count("siren", filter=laureate & Q(level=value), distinct=True)
        for value in Level.values
    }
    return applications.aggregate(
        applications=Count("pk"),
        laureates=Count("pk", filter=laureate),
        authorities=Count("siren", filter=laureate, distinct=True),
        first_timers=Count("siren", filter=laureate & Q(first_time=True), distinct=True),
        **per_level,
    )


def selection_balance(programme: Programme) -> tuple[Figures, dict[str, int]]:
    """What the selection shows live: laureates, first-timers and levels (one query); with
    the authorities per level."""
    counts = laureate_figures(Application.objects.filter(call__programme=programme))
    levels = {value: counts.pop(f"level_{value}") for value in Level.values}
    figures = Figures(**counts)
    figures.first_timer_share = share(figures.first_timers, figures.authorities)
    figures.levels = [
        (label, levels[value], share(levels[value], figures.authorities))
        for value, label in Level.choices
    ]
    return figures, levels


def programme_figures(programme: Programme, *, today: datetime.date | None = None) -> Figures:
    """Every figure of the dashboard and the progress report: three queries (laureates, the
    missions by status, year and country, the targets). A target not met is missed once the
    programme has ended (after its end date, ``today`` by default)."""
    ended = (today or timezone.localdate()) > programme.end_date
    figures, levels = selection_balance(programme)
    cancelled = Q(mission__status=MissionStatus.CANCELLED)
    rows = (
        ProgrammeMission.objects.filter(laureate__call__programme=programme)
        .values(
            "mission__status",
            year=ExtractYear("mission__start_date"),
            country=F("mission__host_structure__country"),
        )
        .annotate(n=Count("pk"), live=Count("pk", filter=~cancelled))
        .order_by("year", "country")
    )
    statuses: dict[str, int] = {}
    by_place: dict[tuple[int, str], int] = {}
    for row in rows:  # a few rows: statuses × years × countries
        statuses[row["mission__status"]] = statuses.get(row["mission__status"], 0) + row["n"]
        if row["live"]:
            key = (row["year"], row["country"])
            by_place[key] = by_place.get(key, 0) + row["live"]
    figures.missions_by_status = [
        (label, statuses.get(value, 0)) for value, label in MissionStatus.choices
    ]
    figures.missions = sum(n for status, n in statuses.items() if status != "cancelled")
    figures.by_year_country = [(y, c, n) for (y, c), n in sorted(by_place.items())]
    figures.targets = [_progress(t, figures, levels, ended) for t in programme.targets.all()]
    figures.chart = _chart(figures.by_year_country)
    return figures


def _progress(
    target: Target, figures: Figures, levels: dict[str, int], ended: bool
) -> TargetProgress:
    kind = Target.Kind
    if target.kind == kind.MISSIONS:
        actual, met = figures.missions, figures.missions >= target.value
    elif target.kind == kind.AUTHORITIES:
        actual, met = figures.authorities, figures.authorities >= target.value
    elif target.kind == kind.FIRST_TIMERS:
        # Exact comparison: 49.5 % is shown as 50 % but does not meet a 50 % target.
        actual = figures.first_timer_share
        met = figures.authorities > 0 and (
            100 * figures.first_timers >= target.value * figures.authorities
        )
    else:  # the smallest level's share against the minimum share of each level
        smallest = min((levels.get(value, 0) for value in Level.values), default=0)
        actual = share(smallest, figures.authorities)
        met = figures.authorities > 0 and 100 * smallest >= target.value * figures.authorities
    return TargetProgress(
        target.label,
        target.kind,
        target.value,
        actual,
        met,
        percent=target.kind in (kind.FIRST_TIMERS, kind.LEVEL_BALANCE),
        status=TargetStatus.MET
        if met
        else (TargetStatus.MISSED if ended else TargetStatus.NOT_YET),
    )


def _chart(rows: list[tuple[int, str, int]]) -> str:
    """Missions per year: hosted in France and carried abroad (the chart of the home page)."""
    years = sorted({year for year, _country, _n in rows if year})
    if not years:
        return ""
    hosted = {y: sum(n for yy, c, n in rows if yy == y and c == "FR") for y in years}
    abroad = {y: sum(n for yy, c, n in rows if yy == y and c != "FR") for y in years}
    return grouped_bars(
        [str(y) for y in years],
        [
            Series(_("Hosted in France"), [hosted[y] for y in years]),
            Series(_("Abroad"), [abroad[y] for y in years]),
        ],
        title=_("Missions of the programme per year: hosted in France and abroad"),
    )


def calls_with_notices(programme: Programme) -> QuerySet[Call]:
    """The programme's calls with ``to_notify`` (applications not notified yet) and
    ``last_notified`` (the latest notice), for the notify button."""
    return programme.calls.annotate(
        to_notify=Count("applications", filter=Q(applications__notified_at__isnull=True)),
        last_notified=Max("applications__notified_at"),
    )
