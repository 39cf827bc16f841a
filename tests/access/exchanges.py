"""Agreements: rows point at the ANVT–CNPV agreement, to which VASE (the outsider) is no party.

The agreement is approved and in force: suspending and terminating it (with a reason) are
performed for its parties' managers and admins; submitting, approving and resuming it are
refused to everyone by the services (302 back to the page with a message), and the matrix checks
that nothing changed. The forms posted empty are answered with their errors.
"""

from django.urls import reverse

from exchanges.models import Agreement
from reports.models import Report

from . import NOBODY, Row, everyone

READERS = {"officer": 403, "evaluator": 403, "partner": 403}


def agreement():
    return Agreement.objects.get(reference="VIR-TG-ML-2017").pk


def agreements():
    return Agreement.objects.count()


def agreement_state():
    found = Agreement.objects.get(pk=agreement())
    return (
        found.status,
        found.current_version_id,
        found.last_approved_version_id,
        found.versions.count(),
        sorted(found.current_version.approvals.values_list("pk", flat=True)),
    )


def reports():
    return Report.objects.count()


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
        effect=agreements,
    ),
    Row("exchanges:detail", url("detail"), READ),
    Row("exchanges:edit", url("edit"), everyone(200, **READERS, outsider=404)),
    Row(
        "exchanges:edit",
        url("edit"),
        everyone(200, **READERS, outsider=404),
        method="post",
        effect=agreement_state,
    ),
    # Only a draft is submitted.
    Row(
        "exchanges:submit",
        url("submit"),
        ACT,
        method="post",
        effect=agreement_state,
        performed_by=NOBODY,
    ),
    # An approval is given on behalf of a party: administrators give none. Both parties have
    # approved the current version already.
    Row(
        "exchanges:approve",
        url("approve"),
        {**ACT, "admin": 403},
        method="post",
        data={"version": 1},
        effect=agreement_state,
        performed_by=NOBODY,
    ),
    Row(
        "exchanges:suspend",
        url("suspend"),
        ACT,
        method="post",
        data={"reason": "Visas en attente."},
        effect=agreement_state,
    ),
    # Only a suspended agreement is resumed.
    Row(
        "exchanges:resume",
        url("resume"),
        ACT,
        method="post",
        effect=agreement_state,
        performed_by=NOBODY,
    ),
    Row(
        "exchanges:terminate",
        url("terminate"),
        ACT,
        method="post",
        data={"reason": "Fin du programme."},
        effect=agreement_state,
    ),
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
        effect=reports,
        variant="agreement",
    ),
    Row(
        "exchanges:quota_report",
        lambda: reverse("exchanges:quota_report"),
        everyone(403, admin=302),
        method="post",
        data=quota_report("all"),
        effect=reports,
        variant="all",
    ),
]
