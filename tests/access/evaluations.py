"""Evaluations: rows point at the published ANVT–CNPV pilot evaluation, written by ANVT.

Both parties read it; ANVT's evaluators and managers (and admins) write; VASE sees nothing.
A published evaluation is frozen: editing and publishing it again are refused to everyone (the
matrix checks who gets past the access rules, and that nothing changed); a new version, a
report and a recommendation's follow-up are performed for those allowed.
"""

from django.urls import reverse

from evaluations.models import Evaluation, Finding
from reports.models import Report

from . import NOBODY, Row, everyone

NOT_WRITERS = {"officer": 403, "partner": 403, "partner_agency": 403}


def evaluation():
    return Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1).pk


def recommendation():
    return (
        Finding.objects.filter(
            evaluation=evaluation(), kind="recommendation", owner__acronym="ANVT"
        )
        .first()
        .pk
    )


def past_the_pilot():
    from core.keyset import position_of
    from evaluations.selectors import EVALUATION_ORDER

    pilot = Evaluation.objects.get(pk=evaluation())
    return f"{reverse('evaluations:index')}?after={position_of(pilot, EVALUATION_ORDER)}"


def evaluations():
    return Evaluation.objects.count()


def evaluation_state():
    return Evaluation.objects.filter(pk=evaluation()).values().get()


def reports():
    return Report.objects.filter(evaluation=evaluation()).count()


def follow_up():
    return Finding.objects.get(pk=recommendation()).follow_up


def url(name):
    return lambda: reverse(f"evaluations:{name}", args=[evaluation()])


READ = everyone(200, outsider=404)
WRITE = everyone(302, **NOT_WRITERS, outsider=404)

ROWS = [
    Row("evaluations:index", lambda: reverse("evaluations:index"), everyone(200)),
    # A page past the count, after the pilot: the rows each persona sees after it, none other.
    Row("evaluations:index", past_the_pilot, everyone(200), variant="past-the-count"),
    # Creating acts for the acting agency, in which the user must be an evaluator or manager.
    # The empty form is answered with its errors: nothing is created.
    Row(
        "evaluations:create",
        lambda: reverse("evaluations:create"),
        everyone(200, officer=403, partner=403, outsider=403, admin=403),
    ),
    Row(
        "evaluations:create",
        lambda: reverse("evaluations:create"),
        everyone(200, officer=403, partner=403, outsider=403, admin=403),
        method="post",
        effect=evaluations,
    ),
    Row("evaluations:detail", url("detail"), READ),
    # A published evaluation is frozen: its authors are sent back to it.
    Row("evaluations:edit", url("edit"), WRITE),
    Row(
        "evaluations:edit",
        url("edit"),
        WRITE,
        method="post",
        effect=evaluation_state,
        performed_by=NOBODY,
    ),
    Row(
        "evaluations:publish",
        url("publish"),
        WRITE,
        method="post",
        effect=evaluation_state,
        performed_by=NOBODY,
    ),
    # Every reader of a published evaluation may have its report rendered in another language.
    Row(
        "evaluations:request_report",
        url("request_report"),
        everyone(302, outsider=404),
        method="post",
        data={"language": "en"},
        effect=reports,
    ),
    Row("evaluations:new_version", url("new_version"), WRITE, method="post", effect=evaluations),
    Row("evaluations:history", url("history"), READ),
    # The owner agency's (ANVT's) managers and officers, and the authors, update the follow-up.
    Row(
        "evaluations:recommendation_status",
        lambda: reverse("evaluations:recommendation_status", args=[recommendation()]),
        everyone(302, partner=403, partner_agency=403, outsider=404),
        method="post",
        data={"follow_up": "dropped"},
        effect=follow_up,
    ),
]
