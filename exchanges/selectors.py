"""Read-side queries of agreements and reciprocity figures, their visibility included."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies import rules as access
from core.search import contains_q

from .models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Approval,
    Quota,
    agreed_places_expr,
    pending_quota_q,
    phase_q,
)

# --- Visibility (the role tables and memberships: ``agencies.rules``) -------------------------


def agreements_visible_to(user) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("party_a", "party_b")
    if access.is_admin(user):
        return qs
    ids = access.agency_ids_of(user)
    return qs.filter(Q(party_a__in=ids) | Q(party_b__in=ids))


# --- Lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFilters:
    partner: int | None = None
    status: str | None = None
    year: int | None = None
    theme: int | None = None
    q: str = ""


def _places_sent_by(party: str) -> Case:
    """Total places agreed from ``party`` to the other party: those of the last version both
    parties approved (a row a pending amendment adds has none: ``approved_places`` is null);
    before any approval, those written. A subquery per row, so that it neither multiplies rows
    nor needs a GROUP BY on the list; only the branch that applies is run."""

    def total(field: str) -> Coalesce:
        rows = (
            Quota.objects.filter(agreement=OuterRef("pk"), sending=OuterRef(party))
            .order_by()
            .values("agreement")
            .annotate(total=Sum(field))
            .values("total")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return Case(
        When(last_approved_version__isnull=True, then=total("places")),
        default=total("approved_places"),
        output_field=IntegerField(),
    )


# The list's order, total (the id last): the keys its pages past the count start after.
AGREEMENT_ORDER = ["-start_date", "reference", "pk"]


def agreement_list(
    *, user, filters: AgreementFilters, today: datetime.date | None = None
) -> QuerySet[Agreement]:
    today = today or timezone.localdate()
    qs = agreements_visible_to(user)
    if filters.partner:
        qs = qs.filter(Q(party_a=filters.partner) | Q(party_b=filters.partner))
    if filters.status:
        qs = qs.filter(phase_q(filters.status, today))
    if filters.year:
        qs = qs.filter(
            start_date__lte=datetime.date(filters.year, 12, 31),
            end_date__gte=datetime.date(filters.year, 1, 1),
        )
    if filters.theme:
        qs = qs.filter(themes=filters.theme)
    if filters.q:
        qs = qs.filter(Q(reference__icontains=filters.q) | contains_q(["title"], filters.q))
    return (
        qs.annotate(
            places_a_to_b=_places_sent_by("party_a"),
            places_b_to_a=_places_sent_by("party_b"),
        )
        .prefetch_related("themes")
        .order_by(*AGREEMENT_ORDER)
    )


def agreement_versions(*, agreement: Agreement) -> QuerySet[AgreementVersion]:
    return agreement.versions.select_related("created_by").prefetch_related(
        Prefetch("approvals", queryset=Approval.objects.select_related("agency", "user"))
    )


def version_approvals(*, version: AgreementVersion | None) -> dict[int, Approval]:
    """``{agency_id: approval}`` of a version."""
    if version is None:
        return {}
    return {a.agency_id: a for a in version.approvals.select_related("agency", "user").order_by()}


# --- Reciprocity figures --------------------------------------------------------------------
# Per quota (agreement × cohort × direction): places, then what placements use of them. Until
# placements exist the used figures are zero. The counts are read from the placement counts
# that the database keeps per quota and status (``missions.tallies``): per row in SQL through
# ``_placement_counts`` (pages can filter and sort on them), or in one pass through
# ``placement_counts_query`` (reports); a test holds both to a fresh count of the placements.
# Placements and their counts are declared above this app (missions): they are read through
# the relations they declare to the quota, never imported.


def _placements_and_tallies():
    """The placement model (for its statuses) and the placement-count model."""
    return Quota.placements.rel.related_model, Quota.tallies.rel.related_model


def _placement_counts() -> dict:
    """Placements per quota by status: one unique-index lookup each on (quota, status)."""
    Placement, PlacementTally = _placements_and_tallies()

    def count(status: str) -> Coalesce:
        rows = PlacementTally.objects.filter(quota=OuterRef("pk"), status=status).values("n")
        return Coalesce(Subquery(rows[:1], output_field=IntegerField()), Value(0))

    S = Placement.Status
    return {
        "proposed": count(S.NOMINATED),
        "confirmed": count(S.CONFIRMED),
        "declined": count(S.DECLINED),
        "deployed": count(S.DEPLOYED),
        "completed": count(S.COMPLETED),
        "withdrawn": count(S.WITHDRAWN),
    }


class PlacementCounts(NamedTuple):
    nominated: int = 0
    confirmed: int = 0
    declined: int = 0
    deployed: int = 0
    completed: int = 0
    withdrawn: int = 0

    @property
    def used(self) -> int:
        return self.confirmed + self.deployed + self.completed


NO_PLACEMENTS = PlacementCounts()
# The placement statuses in the order of ``PlacementCounts``'s fields (their values).
_COUNTED = PlacementCounts._fields


def placement_counts_query(*, quotas: QuerySet[Quota] | None) -> QuerySet:
    """``(quota_id, nominated, confirmed, declined, deployed, completed, withdrawn)`` rows for
    many quotas, in one grouped pass over their placement counts: the bulk twin of
    ``quota_figures``'s per-row subqueries, for reports over thousands of quotas. Quotas without
    placements have no row; ``None`` reads every quota."""
    Placement, PlacementTally = _placements_and_tallies()

    S = Placement.Status
    statuses = {
        "nominated": S.NOMINATED,
        "confirmed": S.CONFIRMED,
        "declined": S.DECLINED,
        "deployed": S.DEPLOYED,
        "completed": S.COMPLETED,
        "withdrawn": S.WITHDRAWN,
    }
    tallies = PlacementTally.objects.filter(n__gt=0)
    if quotas is not None:
        tallies = tallies.filter(quota__in=quotas.values("pk"))
    return (
        tallies.order_by()
        .values("quota_id")
        .annotate(
            **{
                name: Coalesce(Sum("n", filter=Q(status=s)), Value(0))
                for name, s in statuses.items()
            }
        )
        .values_list("quota_id", *statuses)
    )


def placement_counts(*, quotas: QuerySet[Quota] | None) -> dict[int, PlacementCounts]:
    """``{quota_id: counts}`` of ``placement_counts_query``."""
    return {
        quota_id: PlacementCounts(*counts)
        for quota_id, *counts in placement_counts_query(quotas=quotas)
    }


def quota_places(*, quotas: QuerySet[Quota] | None = None) -> QuerySet[Quota]:
    """THE places of quotas, as the confirmation of a placement counts them and every page
    shows them ("confirmed / places" per cohort and direction): annotated with ``used`` (places
    taken: confirmed, deployed or completed placements, from the counts the database keeps),
    ``binding_places`` (the places agreed, ``Quota.agreed_places``: those of the last approved
    version, none for a row a pending amendment adds; before any approval, those written) and
    ``remaining`` (places left; 0 or less: full); ``pending`` (``Quota.is_pending``: a row of
    an amendment not approved yet, shown as such, with no place agreed)."""
    quotas = Quota.objects.all() if quotas is None else quotas
    counts = _placement_counts()
    return (
        quotas.select_related("sending", "receiving")
        .annotate(**{name: counts[name] for name in ("confirmed", "deployed", "completed")})
        .annotate(
            binding_places=agreed_places_expr(),
            used=F("confirmed") + F("deployed") + F("completed"),
        )
        .annotate(remaining=F("binding_places") - F("used"))
        .annotate(
            pending=Case(
                When(pending_quota_q(), then=True), default=False, output_field=BooleanField()
            )
        )
    )


def _set_places(quota: Quota, counts: PlacementCounts) -> Quota:
    """The attributes ``quota_places`` annotates, from the quota's counts."""
    quota.confirmed, quota.deployed, quota.completed = (
        counts.confirmed,
        counts.deployed,
        counts.completed,
    )
    quota.binding_places = quota.agreed_places
    quota.used = counts.used
    quota.remaining = quota.binding_places - quota.used
    quota.pending = quota.is_pending
    return quota


def counts_of(quota_ids: list[int]) -> dict[int, PlacementCounts]:
    """``placement_counts`` of a list of quotas (a page's or a form's): their count rows read on
    the quota index, no grouping and no semi-join (whose plan scanned every quota)."""
    _, PlacementTally = _placements_and_tallies()
    rows: dict[int, dict[str, int]] = {}
    tallies = PlacementTally.objects.filter(quota_id__in=quota_ids).values_list(
        "quota_id", "status", "n"
    )
    for quota_id, status, n in tallies:
        rows.setdefault(quota_id, {})[status] = n
    return {
        quota_id: PlacementCounts(*(by_status.get(status, 0) for status in _COUNTED))
        for quota_id, by_status in rows.items()
    }


def places_of(quota: Quota) -> Quota:
    """One quota's places, as ``quota_places`` annotates them (``confirmed``, ``deployed``,
    ``completed``, ``used``, ``binding_places``, ``remaining``), set on ``quota`` itself from its
    few count rows: one lookup on the quota index, no subquery to compile. For a page about one
    quota (the mission page); lists and the confirmation use ``quota_places``."""
    return _set_places(quota, counts_of([quota.pk]).get(quota.pk, NO_PLACEMENTS))


def quota_figures(*, quotas: QuerySet[Quota] | None = None) -> QuerySet[Quota]:
    """``quota_places`` and the other counts: ``proposed`` (nominated), ``declined``,
    ``withdrawn``."""
    counts = _placement_counts()
    return (
        quota_places(quotas=quotas)
        .annotate(**{name: counts[name] for name in ("proposed", "declined", "withdrawn")})
        .order_by("agreement_id", "cohort", "sending__acronym")
    )


def reciprocity_balance(*, quotas: QuerySet[Quota], by_cohort: bool = True) -> QuerySet:
    """Per agreement (and cohort): the agreed places (``binding_places``) and the used ones in
    each direction, and the balance seen from the first party (sent minus hosted). One
    aggregate query. The rows of a pending amendment are left out: nothing of them is agreed
    (nor used: no mission is created under them)."""
    a_to_b = Q(sending=F("agreement__party_a"))
    b_to_a = Q(sending=F("agreement__party_b"))
    group = ["agreement", "cohort"] if by_cohort else ["agreement"]

    def total(field, direction):
        return Coalesce(Sum(field, filter=direction), 0)

    return (
        quota_figures(quotas=quotas.exclude(pending_quota_q()))
        .order_by()
        .values(*group)
        .annotate(
            places_a_to_b=total("binding_places", a_to_b),
            places_b_to_a=total("binding_places", b_to_a),
            used_a_to_b=total("used", a_to_b),
            used_b_to_a=total("used", b_to_a),
        )
        .annotate(
            places_balance=F("places_a_to_b") - F("places_b_to_a"),
            used_balance=F("used_a_to_b") - F("used_b_to_a"),
        )
        .order_by(*group)
    )


# --- Approvals awaited ----------------------------------------------------------------------


def agreements_awaiting_approval(*, agency=None, user=None) -> QuerySet[Agreement]:
    """Agreements whose current version awaits the approval of ``agency`` (``None``: of either
    party), a first submission or an amendment of an approved agreement alike: the SQL twin of
    ``Agreement.approval_refusal(agency, user=user) is None``, the rule that ``agencies.rules.
    can_approve_for`` and the approval service ask (a test holds the two together). With
    ``user``: not those whose version ``user`` approved for the other party."""
    qs = Agreement.objects.select_related("party_a", "party_b").filter(
        status__in=[AgreementStatus.SUBMITTED, AgreementStatus.APPROVED],
        current_version__isnull=False,
    )
    # A version newer than the last approved one (none yet: a first submission).
    qs = qs.filter(
        Q(last_approved_version__isnull=True) | ~Q(current_version=F("last_approved_version"))
    )

    def approved_by(party) -> Exists:
        return Exists(Approval.objects.filter(version=OuterRef("current_version"), agency=party))

    if agency is None:
        # Fewer than two of the parties' approvals, counted per agreement: written as "not
        # both exist", PostgreSQL hashed the whole approval table for it (45 ms on the home
        # page of the administrator, for 8 rows); counted, each is an index lookup (1 ms).
        parties = Q(agency=OuterRef("party_a")) | Q(agency=OuterRef("party_b"))
        approvals = (
            Approval.objects.filter(parties, version=OuterRef("current_version"))
            .order_by()
            .values("version")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return qs.annotate(approvals=Coalesce(Subquery(approvals), 0)).filter(approvals__lt=2)
    qs = qs.filter(Q(party_a=agency) | Q(party_b=agency)).exclude(approved_by(agency))
    if user is not None and user.pk is not None:
        by_user = Approval.objects.filter(version=OuterRef("current_version"), user=user.pk)
        qs = qs.exclude(Exists(by_user))
    return qs
