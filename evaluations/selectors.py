"""Read-side queries of evaluations and the figures pulled into them (aggregated, no personal
data), their visibility included."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from agencies import rules as access
from exchanges.selectors import quota_figures
from missions.models import FollowUp, Placement

from .models import Axis, Evaluation, Finding

# --- Visibility (the role tables and memberships: ``agencies.rules``) -------------------------


def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("agreement", "agency")
    if access.is_admin(user):
        return qs
    ids = access.agency_ids_of(user)
    published = Q(status=Evaluation.Status.PUBLISHED) & (
        Q(agreement__party_a__in=ids) | Q(agreement__party_b__in=ids)
    )
    return qs.filter(Q(agency__in=ids) | published)


def evaluation_list(*, user) -> QuerySet[Evaluation]:
    return (
        evaluations_visible_to(user)
        .annotate(
            recommendations=Count("findings", filter=Q(findings__kind=Finding.Kind.RECOMMENDATION))
        )
        .order_by("-period_end", "-pk")
    )


def _cohort_year(evaluation: Evaluation) -> int | None:
    """The evaluated cohort as the quotas name it, a year (None: the text is not one, and no
    quota is of that cohort)."""
    text = evaluation.cohort.strip()
    return int(text) if text.isdigit() else None


def evaluation_quotas(*, evaluation: Evaluation) -> QuerySet:
    """The cohort's quotas and their use per direction."""
    return quota_figures(quotas=evaluation.agreement.quotas.filter(cohort=_cohort_year(evaluation)))


@dataclass(frozen=True)
class CohortOutcomes:
    placements_by_outcome: dict[str, int]
    insertion_follow_ups: dict[str, int]


def cohort_outcomes(*, evaluation: Evaluation) -> CohortOutcomes:
    """Placements of the cohort by outcome and the insertion follow-ups recorded after return,
    as counts (one aggregate query each; no personal data)."""
    year = _cohort_year(evaluation)
    cohort = Q(quota__agreement=evaluation.agreement_id, quota__cohort=year)
    statuses = dict(Placement.Status.choices)
    by_outcome = (
        Placement.objects.filter(cohort).order_by("status").values("status").annotate(n=Count("pk"))
    )
    situations = dict(FollowUp.Situation.choices)
    follow_ups = (
        FollowUp.objects.filter(
            placement__quota__agreement=evaluation.agreement_id,
            placement__quota__cohort=year,
            recorded_at__isnull=False,
        )
        .order_by("situation")
        .values("situation")
        .annotate(n=Count("pk"))
    )
    return CohortOutcomes(
        placements_by_outcome={statuses[r["status"]]: r["n"] for r in by_outcome},
        insertion_follow_ups={situations.get(r["situation"], "–"): r["n"] for r in follow_ups},
    )


def findings_by_axis(findings) -> list[tuple[str, list[Finding]]]:
    """[(axis label, findings)] in the order of the axes, skipping empty axes."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.axis, []).append(finding)
    return [(axis.label, grouped[axis.value]) for axis in Axis if axis.value in grouped]
