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


def evaluation_quotas(*, evaluation: Evaluation) -> QuerySet:
    """The cohort's quotas and their use per direction."""
    return quota_figures(quotas=evaluation.agreement.quotas.filter(cohort=evaluation.cohort))


@dataclass(frozen=True)
class CohortOutcomes:
    placements_by_outcome: dict[str, int]  # placement status → count
    insertion_follow_ups: dict[str, int]  # follow-up situation → count


def cohort_outcomes(*, evaluation: Evaluation) -> CohortOutcomes:
    """Placements of the cohort by outcome and the insertion follow-ups recorded after return,
    as counts by status and situation (one aggregate query each; no personal data)."""
    cohort = Q(quota__agreement=evaluation.agreement_id, quota__cohort=evaluation.cohort)
    by_outcome = (
        Placement.objects.filter(cohort).order_by("status").values("status").annotate(n=Count("pk"))
    )
    follow_ups = (
        FollowUp.objects.filter(
            placement__quota__agreement=evaluation.agreement_id,
            placement__quota__cohort=evaluation.cohort,
            recorded_at__isnull=False,
        )
        .order_by("situation")
        .values("situation")
        .annotate(n=Count("pk"))
    )
    return CohortOutcomes(
        placements_by_outcome={r["status"]: r["n"] for r in by_outcome},
        insertion_follow_ups={r["situation"] or "": r["n"] for r in follow_ups},
    )


# --- The figures of an evaluation: frozen at publication, live in a draft --------------------


def evaluation_figures(*, evaluation: Evaluation) -> dict:
    """The figures an evaluation shows, computed now, as the JSON stored on a version when it
    is published (``Evaluation.figures``): the cohort's quotas and their use, its placements by
    outcome, the insertion follow-ups, and the follow-up status of each recommendation.
    Codes, not labels: the labels are translated when the figures are shown."""
    outcomes = cohort_outcomes(evaluation=evaluation)
    return {
        "quotas": [
            {
                "sending": q.sending.acronym,
                "receiving": q.receiving.acronym,
                "places": q.binding_places,
                "used": q.used,
                "remaining": q.remaining,
            }
            for q in evaluation_quotas(evaluation=evaluation)
        ],
        "placements_by_outcome": outcomes.placements_by_outcome,
        "insertion_follow_ups": outcomes.insertion_follow_ups,
        "recommendations": {
            str(pk): status
            for pk, status in evaluation.findings.filter(
                kind=Finding.Kind.RECOMMENDATION
            ).values_list("pk", "follow_up")
        },
    }


@dataclass(frozen=True)
class Figures:
    """An evaluation's figures as its page and its PDF show them, labels translated."""

    quotas: list[dict]
    placements_by_outcome: dict[str, int]  # label → count
    insertion_follow_ups: dict[str, int]
    recommendation_status: dict[int, str]  # finding id → label of its follow-up status
    frozen: bool  # as of publication (True) or computed now (a draft)


def figures_of(*, evaluation: Evaluation) -> Figures:
    """A published version's figures are those frozen at its publication: its page and its PDF
    say the same thing forever, whatever placements come after. A draft's are computed now."""
    frozen = evaluation.is_published and evaluation.figures is not None
    data = evaluation.figures if frozen else evaluation_figures(evaluation=evaluation)
    statuses = dict(Placement.Status.choices)
    situations = dict(FollowUp.Situation.choices)
    follow_ups = dict(Finding.FollowUp.choices)
    return Figures(
        quotas=data["quotas"],
        placements_by_outcome={
            str(statuses.get(code, code)): n for code, n in data["placements_by_outcome"].items()
        },
        insertion_follow_ups={
            str(situations.get(code, "–")): n for code, n in data["insertion_follow_ups"].items()
        },
        recommendation_status={
            int(pk): str(follow_ups.get(code, "–")) for pk, code in data["recommendations"].items()
        },
        frozen=frozen,
    )


def findings_by_axis(findings) -> list[tuple[str, list[Finding]]]:
    """[(axis label, findings)] in the order of the axes, skipping empty axes."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.axis, []).append(finding)
    return [(axis.label, grouped[axis.value]) for axis in Axis if axis.value in grouped]
