"""Agreements: rows point at the ANVT–CNPV agreement, to which VASE (the outsider) is no party.

POST rows send incomplete data (no reason, an already approved version...), so that the
services refuse them and the demo data stays as it is for the next rows: what the matrix checks
is who gets past the access rules (302 back to the page with a message), not the outcome.
"""

from django.urls import reverse

from exchanges.models import Agreement

from . import Row, everyone

READERS = {"officer": 403, "evaluator": 403, "partner": 403}


def agreement():
    return Agreement.objects.get(reference="VIR-TG-ML-2017").pk


def url(name, *args):
    return lambda: reverse(f"exchanges:{name}", args=[agreement(), *args])


# Party managers (ANVT and CNPV) and admins act; other members read; outsiders see nothing.
ACT = everyone(302, **READERS, outsider=404)
READ = everyone(200, outsider=404)

ROWS = [
    Row("exchanges:index", lambda: reverse("exchanges:index"), everyone(200)),
    # Creating acts for the acting agency, of which the user must be a manager.
    Row(
        "exchanges:create",
        lambda: reverse("exchanges:create"),
        everyone(200, **READERS, outsider=403, admin=403),
    ),
    Row(
        "exchanges:create",
        lambda: reverse("exchanges:create"),
        everyone(200, **READERS, outsider=403, admin=403),
        method="post",
    ),
    Row("exchanges:detail", url("detail"), READ),
    Row("exchanges:edit", url("edit"), everyone(200, **READERS, outsider=404)),
    Row("exchanges:edit", url("edit"), everyone(200, **READERS, outsider=404), method="post"),
    Row("exchanges:submit", url("submit"), ACT, method="post"),
    # An approval is given on behalf of a party: administrators give none.
    Row("exchanges:approve", url("approve"), {**ACT, "admin": 403}, method="post"),
    Row("exchanges:suspend", url("suspend"), ACT, method="post"),
    Row("exchanges:resume", url("resume"), ACT, method="post"),
    Row("exchanges:terminate", url("terminate"), ACT, method="post"),
    Row("exchanges:versions", url("versions"), READ),
    Row("exchanges:version", url("version", 1), READ),
    Row("exchanges:compare", url("compare"), READ),
    Row("exchanges:document", url("document"), READ),
]


def quota_report(scope):
    def data():
        return {"scope": scope, "agreement": agreement(), "file_format": "csv", "language": "fr",
                "threshold": 2, "delimiter": ","}  # fmt: skip

    return data


ROWS += [
    # Requesting a report redirects to it; the agreement's scope follows its visibility.
    Row(
        "exchanges:quota_report",
        lambda: reverse("exchanges:quota_report"),
        everyone(302, outsider=404),
        method="post",
        data=quota_report("agreement"),
    ),
    Row(
        "exchanges:quota_report",
        lambda: reverse("exchanges:quota_report"),
        everyone(403, admin=302),
        method="post",
        data=quota_report("all"),
    ),
]
