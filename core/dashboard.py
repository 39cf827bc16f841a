"""The home page: where each exchange stands for the acting agency (all agencies for an
administrator without one). One query per panel, whatever the number of rows: every panel is
an aggregate or a short, limited list.

The three aggregates (volunteers by status, quotas nearly full, the exchange chart) read up to
hundreds of thousands of rows for a large agency. They are cached under the data versions of
the volunteers and the exchanges (``core.versions``): any change, through the platform or the
admin, is seen by the next request."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from core import rules as access
from core import versions
from evaluations.models import Finding
from exchanges.models import Agreement, AgreementStatus, Approval, Quota
from exchanges.selectors import quota_figures
from missions.models import USED_STATUSES, FollowUp, Placement, PlacementStatus
from reports.charts import Series, grouped_bars
from volunteers.models import Volunteer

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
    aggregates = versions.cached(
        ("home", agency.pk if agency else None, today),
        (versions.VOLUNTEERS, versions.EXCHANGES),
        lambda: _aggregates(agency, today),
        agencies=[agency.pk] if agency else None,
    )
    board.volunteers_by_status, board.quotas_near_full, board.chart = aggregates

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
    # The host confirms or declines a nomination: it awaits the receiving agency.
    board.nominations = list(
        shown.filter(
            # The few ids first (index-only), then their rows: joining first would read every
            # pending nomination of the platform.
            pk__in=Placement.objects.filter(
                _quotas_of(agency, "receiving"), status=PlacementStatus.NOMINATED
            ).values("pk")
        ).order_by("mission__start_date", "pk")[:LIST]
    )

    submitted = access.agreements_visible_to(user).filter(status=AgreementStatus.SUBMITTED)
    if agency is not None:
        approved_by_us = Approval.objects.filter(version=OuterRef("current_version"), agency=agency)
        submitted = submitted.filter(Q(party_a=agency) | Q(party_b=agency)).exclude(
            Exists(approved_by_us)
        )
    board.approvals_awaited = list(submitted.order_by("start_date", "reference")[:LIST])

    board.recommendations_due = list(
        Finding.objects.filter(
            _for_agency(agency, "owner"),
            kind=Finding.Kind.RECOMMENDATION,
            follow_up__in=[Finding.FollowUp.OPEN, Finding.FollowUp.IN_PROGRESS],
            due_date__lte=today + SOON,
            evaluation__status="published",
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
    board.latest_reports = list(access.reports_visible_to(user).order_by("-created_at", "-pk")[:5])
    return board


def _aggregates(agency, today: datetime.date) -> tuple[list, list, str]:
    """Volunteers by status, quotas nearly full, and the exchange chart (cached)."""
    volunteers = Volunteer.objects.filter(_for_agency(agency, "sending_agency"))
    status_labels = dict(Volunteer.Status.choices)
    by_status = [
        (status_labels.get(row["status"], row["status"]), row["n"])
        for row in volunteers.order_by("status").values("status").annotate(n=Count("*"))
    ]
    in_force = Agreement.objects.filter(status=AgreementStatus.APPROVED, end_date__gte=today)
    if agency is not None:
        in_force = in_force.filter(Q(party_a=agency) | Q(party_b=agency))
    near_full = list(
        quota_figures(quotas=Quota.objects.filter(agreement__in=in_force))
        .filter(binding_places__gt=0, remaining__lte=1)
        .select_related("agreement")
        .order_by("remaining", "agreement__reference")[:LIST]
    )
    return by_status, near_full, _exchange_chart(agency)


def _exchange_chart(agency) -> str:
    """Volunteers sent and hosted per partner agency and year (placements that took a place):
    one grouped query; the chart shows the twelve latest (partner, year) groups."""
    if agency is None:
        return ""
    rows = (
        Placement.objects.filter(status__in=USED_STATUSES)
        .filter(Q(quota__sending=agency) | Q(quota__receiving=agency))
        .annotate(year=ExtractYear("mission__start_date"))
        .values("year", "quota__sending__acronym", "quota__receiving__acronym", "quota__sending")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    sent: dict[str, int] = {}
    hosted: dict[str, int] = {}
    for row in rows:
        if row["quota__sending"] == agency.pk:
            key = f"{row['quota__receiving__acronym']} {row['year']}"
            sent[key] = sent.get(key, 0) + row["n"]
        else:
            key = f"{row['quota__sending__acronym']} {row['year']}"
            hosted[key] = hosted.get(key, 0) + row["n"]
    categories = sorted(set(sent) | set(hosted), key=lambda k: (k.split()[-1], k))[-12:]
    if not categories:
        return ""
    return grouped_bars(
        categories,
        [
            Series(_("Sent"), [sent.get(c, 0) for c in categories]),
            Series(_("Hosted"), [hosted.get(c, 0) for c in categories]),
        ],
    )
