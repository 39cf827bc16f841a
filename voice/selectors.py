"""Read side of the volunteers' voice: the answers of a cohort aggregated (counts, averages,
comments without names) and the insertion rates of the follow-ups, each in one SQL aggregate."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet

from missions.models import FollowUp
from missions.selectors import placements_visible_to

from .models import (
    ASSESSMENT_SCORES,
    QUESTIONNAIRE_SCORES,
    Certificate,
    HostAssessment,
    Plan,
    Questionnaire,
)

# The situations that count as inserted: a job, studies, a business of one's own, volunteering.
INSERTED = [
    FollowUp.Situation.EMPLOYED,
    FollowUp.Situation.STUDYING,
    FollowUp.Situation.OWN_BUSINESS,
    FollowUp.Situation.VOLUNTEERING,
]


def _cohort(prefix: str, agreement_id: int, cohort: int | None) -> Q:
    return Q(**{f"{prefix}quota__agreement": agreement_id, f"{prefix}quota__cohort": cohort})


def _averages(qs: QuerySet, fields) -> dict:
    aggregates = {}
    for field in fields:
        aggregates[f"{field}__n"] = Count(field)
        aggregates[f"{field}__avg"] = Avg(field)
    return qs.aggregate(total=Count("pk"), **aggregates)


def cohort_answers(*, agreement_id: int, cohort: int | None) -> dict:
    """The submitted questionnaires and host assessments of a cohort as JSON-ready figures:
    per scored question, the number of answers and their average; the plans by count; the
    comments alone (no names, no dates, in no particular person's order: by text)."""
    submitted = Questionnaire.objects.filter(
        _cohort("placement__", agreement_id, cohort), submitted_at__isnull=False
    )
    q = _averages(submitted, QUESTIONNAIRE_SCORES)
    assessments = HostAssessment.objects.filter(_cohort("placement__", agreement_id, cohort))
    a = _averages(assessments, ASSESSMENT_SCORES)
    recommended = assessments.aggregate(
        yes=Count("pk", filter=Q(recommended=True)), no=Count("pk", filter=Q(recommended=False))
    )
    plans = submitted.exclude(plan="").order_by("plan").values("plan").annotate(n=Count("pk"))

    def rows(data, fields):
        return [
            {
                "question": field,
                "answers": data[f"{field}__n"],
                "average": round(data[f"{field}__avg"], 2) if data[f"{field}__avg"] else None,
            }
            for field in fields
        ]

    return {
        "questionnaires": q["total"],
        "pending": Questionnaire.objects.filter(
            _cohort("placement__", agreement_id, cohort), submitted_at__isnull=True
        ).count(),
        "scores": rows(q, QUESTIONNAIRE_SCORES),
        "plans": {r["plan"]: r["n"] for r in plans},
        "comments": sorted(submitted.exclude(comments="").values_list("comments", flat=True)),
        "assessments": a["total"],
        "assessment_scores": rows(a, ASSESSMENT_SCORES),
        "recommended": recommended["yes"],
        "not_recommended": recommended["no"],
        "assessment_comments": sorted(
            assessments.exclude(comments="").values_list("comments", flat=True)
        ),
    }


def insertion_rates(*, agreement_id: int, cohort: int | None = None) -> list[dict]:
    """Per cohort and follow-up month (3, 6, 12): follow-ups recorded, of which inserted (job,
    studies, business, volunteering), and the rate in percent (None when nothing is recorded).
    ``cohort`` None: every cohort of the agreement. One aggregate query."""
    filters = Q(placement__quota__agreement=agreement_id)
    if cohort is not None:
        filters &= Q(placement__quota__cohort=cohort)
    found = {
        (r["placement__quota__cohort"], r["due_month"]): r
        for r in FollowUp.objects.filter(filters)
        .order_by()
        .values("placement__quota__cohort", "due_month")
        .annotate(
            due=Count("pk"),
            recorded=Count("pk", filter=Q(recorded_at__isnull=False)),
            inserted=Count("pk", filter=Q(recorded_at__isnull=False, situation__in=INSERTED)),
        )
    }
    cohorts = sorted({c for c, _m in found} | ({cohort} if cohort is not None else set()))
    out = []
    for c in cohorts:
        row = {"cohort": c, "months": []}
        for month in FollowUp.MONTHS:
            r = found.get((c, month), {"due": 0, "recorded": 0, "inserted": 0})
            rate = round(100 * r["inserted"] / r["recorded"]) if r["recorded"] else None
            row["months"].append(
                {
                    "month": month,
                    "due": r["due"],
                    "recorded": r["recorded"],
                    "inserted": r["inserted"],
                    "rate": rate,
                }
            )
        out.append(row)
    return out


def placement_for_user(user, pk: int):
    """The placement (404 outside the user's agencies: the caller uses get_object_or_404)."""
    return placements_visible_to(user).filter(pk=pk)


def certificates_visible_to(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        placement__in=placements_visible_to(user).values("pk")
    ).select_related("report", "placement")


def answers_shown(data: dict) -> dict:
    """``cohort_answers`` (as frozen: codes) with the labels of the questions and plans
    translated in the current language."""
    labels = {**QUESTIONNAIRE_SCORES, **ASSESSMENT_SCORES}
    plans = dict(Plan.choices)

    def labelled(rows):
        return [{**r, "label": str(labels.get(r["question"], r["question"]))} for r in rows]

    return {
        **data,
        "scores": labelled(data["scores"]),
        "assessment_scores": labelled(data["assessment_scores"]),
        "plans": {str(plans.get(code, code)): n for code, n in data["plans"].items()},
    }
