"""Read-side queries of evaluations and the figures pulled into them (aggregated, no personal
data), their visibility included."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agencies import rules as access
from agencies.models import Agency
from exchanges.models import pending_quota_q
from exchanges.selectors import quota_figures
from missions.models import FollowUp, Placement
from voice.selectors import answers_shown, cohort_answers, insertion_rates

from .models import Axis, Evaluation, Finding

RETURNED_EARLY = "returned_early"  # an outcome of the figures: completed, back early

# --- Visibility (the role tables and memberships: ``agencies.rules``) -------------------------


def _seen_by(agency_ids) -> Q:
    """Evaluations that members of ``agency_ids`` see: their own (drafts included) and the
    published ones of the agreements they are party to."""
    published = Q(status=Evaluation.Status.PUBLISHED) & (
        Q(agreement__party_a__in=agency_ids) | Q(agreement__party_b__in=agency_ids)
    )
    return Q(agency__in=agency_ids) | published


def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("agreement", "agency")
    if access.is_admin(user):
        return qs
    return qs.filter(_seen_by(access.agency_ids_of(user)))


def findings_visible_to(user, *, agency=None) -> QuerySet[Finding]:
    """Findings (recommendations included) of the evaluations ``user`` sees; with ``agency``
    (the acting agency), only those that this agency's members see too. Every list of
    findings outside an evaluation's own page reads through here: a recommendation's owner is
    no reason to see it (an owner that is not a party does not see the evaluation)."""
    admin = access.is_admin(user)
    if agency is None:
        if admin:
            return Finding.objects.all()
        visible = evaluations_visible_to(user)
    elif admin or agency.pk in access.agency_ids_of(user):
        visible = Evaluation.objects.filter(_seen_by([agency.pk]))  # within what the user sees
    else:
        return Finding.objects.none()
    return Finding.objects.filter(evaluation__in=visible.values("pk"))


def owner_choices(*, agreement=None, agreements=None) -> QuerySet[Agency]:
    """The agencies that may own a recommendation: the parties of the evaluated ``agreement``
    (or, before one is chosen, of any of ``agreements``)."""
    if agreement is not None:
        ids = [agreement.party_a_id, agreement.party_b_id]
        return Agency.objects.filter(pk__in=ids).order_by("acronym")
    if agreements is None:
        return Agency.objects.none()
    return Agency.objects.filter(
        Q(pk__in=agreements.values("party_a")) | Q(pk__in=agreements.values("party_b"))
    ).order_by("acronym")


# The list's order, total (the id last): the keys its pages past the count start after, read
# from the ``evaluation_newest`` index.
EVALUATION_ORDER = ["-period_end", "-pk"]


def _recommendations() -> Coalesce:
    """The evaluation's number of recommendations: a subquery per row shown, not a join grouped
    by evaluation (which counts every visible evaluation's findings before the page is cut)."""
    count = (
        Finding.objects.filter(evaluation=OuterRef("pk"), kind=Finding.Kind.RECOMMENDATION)
        .order_by()
        .values("evaluation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def evaluation_list(*, user) -> QuerySet[Evaluation]:
    return (
        evaluations_visible_to(user)
        .annotate(
            recommendations=_recommendations(),
            # The version of its published correction, if any: the list says it is replaced.
            replaced_by=Subquery(
                Evaluation.objects.filter(
                    previous=OuterRef("pk"), status=Evaluation.Status.PUBLISHED
                ).values("version")
            ),
        )
        .order_by(*EVALUATION_ORDER)
    )


def _cohort_year(evaluation: Evaluation) -> int | None:
    """The evaluated cohort as the quotas name it, a year (None: the text is not one, and no
    quota is of that cohort)."""
    text = evaluation.cohort.strip()
    return int(text) if text.isdigit() else None


def evaluation_quotas(*, evaluation: Evaluation) -> QuerySet:
    """The cohort's quotas and their use per direction (those agreed: not the rows of an
    amendment awaiting approval)."""
    quotas = evaluation.agreement.quotas.filter(cohort=_cohort_year(evaluation))
    return quota_figures(quotas=quotas.exclude(pending_quota_q()))


@dataclass(frozen=True)
class CohortOutcomes:
    placements_by_outcome: dict[str, int]  # placement status → count
    insertion_follow_ups: dict[str, int]  # follow-up situation → count


def cohort_outcomes(*, evaluation: Evaluation) -> CohortOutcomes:
    """Placements of the cohort by outcome and the insertion follow-ups recorded after return,
    as counts by status and situation (one aggregate query each; no personal data)."""
    year = _cohort_year(evaluation)
    cohort = Q(quota__agreement=evaluation.agreement_id, quota__cohort=year)
    # A volunteer back early ended their placement ("completed") without accomplishing the
    # mission: counted apart, as the mission page shows them.
    outcome = Case(
        When(
            Q(status=Placement.Status.COMPLETED) & ~Q(early_return_reason=""),
            then=Value(RETURNED_EARLY),
        ),
        default=F("status"),
    )
    by_outcome = (
        Placement.objects.filter(cohort)
        .annotate(outcome=outcome)
        .order_by("outcome")
        .values("outcome")
        .annotate(n=Count("pk"))
    )
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
        placements_by_outcome={r["outcome"]: r["n"] for r in by_outcome},
        insertion_follow_ups={r["situation"] or "": r["n"] for r in follow_ups},
    )


# --- The figures of an evaluation: frozen at publication, live in a draft --------------------


def evaluation_figures(*, evaluation: Evaluation) -> dict:
    """The figures an evaluation shows, computed now, as the JSON stored on a version when it
    is published (``Evaluation.figures``): the cohort's quotas and their use, its placements by
    outcome, the insertion follow-ups, and the follow-up status of each recommendation.
    Codes, not labels: the labels are translated when the figures are shown."""
    outcomes = cohort_outcomes(evaluation=evaluation)
    year = _cohort_year(evaluation)
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
        # The volunteers' and hosts' answers, aggregated and anonymised, and the insertion rates
        # at 3, 6 and 12 months: frozen with the rest at publication.
        "voice": cohort_answers(agreement_id=evaluation.agreement_id, cohort=year),
        "insertion_rates": insertion_rates(agreement_id=evaluation.agreement_id, cohort=year)[0][
            "months"
        ]
        if year is not None
        else [],
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
    # Aggregated answers (``voice.selectors.answers_shown``); None for a version published
    # before they were part of the figures.
    answers: dict | None
    insertion_rates: list[dict]  # month, due, recorded, inserted, rate (percent or None)
    frozen: bool  # as of publication (True) or computed now (a draft)


def figures_of(*, evaluation: Evaluation) -> Figures:
    """A published version's figures are those frozen at its publication: its page and its PDF
    say the same thing forever, whatever placements come after. A draft's are computed now."""
    frozen = evaluation.is_published and evaluation.figures is not None
    data = evaluation.figures if frozen else evaluation_figures(evaluation=evaluation)
    statuses = {**dict(Placement.Status.choices), RETURNED_EARLY: _("Early return")}
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
        answers=answers_shown(data["voice"]) if "voice" in data else None,
        insertion_rates=data.get("insertion_rates", []),
        frozen=frozen,
    )


def findings_by_axis(findings) -> list[tuple[str, list[Finding]]]:
    """[(axis label, findings)] in the order of the axes, skipping empty axes."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.axis, []).append(finding)
    return [(axis.label, grouped[axis.value]) for axis in Axis if axis.value in grouped]
