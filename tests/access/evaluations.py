"""Evaluations: rows point at the published ANVT–CNPV pilot evaluation, written by ANVT.

Both parties read it; ANVT's evaluators and managers (and admins) write; VASE sees nothing.
POST rows send data that the services refuse (already published, no status...), so the demo
stays as it is: the matrix checks who gets past the access rules.
"""

from django.urls import reverse

from evaluations.models import Evaluation, Finding

from . import Row, everyone

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


def url(name):
    return lambda: reverse(f"evaluations:{name}", args=[evaluation()])


READ = everyone(200, outsider=404)
WRITE = everyone(302, **NOT_WRITERS, outsider=404)

ROWS = [
    Row("evaluations:index", lambda: reverse("evaluations:index"), everyone(200)),
    # Creating acts for the acting agency, in which the user must be an evaluator or manager.
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
    ),
    Row("evaluations:detail", url("detail"), READ),
    # A published evaluation is frozen: its authors are sent back to it.
    Row("evaluations:edit", url("edit"), WRITE),
    Row("evaluations:edit", url("edit"), WRITE, method="post"),
    Row("evaluations:publish", url("publish"), WRITE, method="post"),
    # No data: the language is missing, so nothing is rendered.
    Row(
        "evaluations:request_report",
        url("request_report"),
        everyone(302, outsider=404),
        method="post",
    ),
    Row("evaluations:new_version", url("new_version"), WRITE, method="post", data={"refused": "1"}),
    Row("evaluations:history", url("history"), READ),
    # The owner agency's (ANVT's) managers and officers, and the authors, update the follow-up.
    Row(
        "evaluations:recommendation_status",
        lambda: reverse("evaluations:recommendation_status", args=[recommendation()]),
        everyone(302, partner=403, partner_agency=403, outsider=404),
        method="post",
    ),
]
