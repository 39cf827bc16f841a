"""Programmes: rows point at the demo's Territoires Volontaires, run by France Volontaires.

None of the matrix's personas (ANVT, CNPV, VASE) is a member of the programme or one of its
operators: its pages answer them 404, and only administrators get in. The programme's own
personas (its staff, the funder's viewer, the chosen operator and another operator) have their
matrix in tests/test_programme_access.py. The public pages (the call's form, the applicant's
link) answer everyone, anonymous included; the demo's call is closed, so posting to it is
refused to everyone (403) and saves nothing.
"""

from django.urls import reverse

from programmes.models import Application, Call, Programme, ProgrammeMission, SupportAction
from programmes.services import application_token
from reports.models import Report

from . import NOBODY, PERSONAS, Row, everyone

ADMIN_ONLY = everyone(404, admin=200)
ADMIN_ACTS = everyone(404, admin=302)


def programme():
    return Programme.objects.get(name="Territoires Volontaires").pk


def call():
    return Call.objects.get(programme=programme())


def laureate():
    """The demo's last laureate: carried by France Volontaires, without missions yet (so it
    may change operator); found the same way after it has."""
    return (
        Application.objects.filter(
            call__programme=programme(), decision="laureate", programme_missions__isnull=True
        )
        .order_by("-pk")
        .first()
    )


def token():
    return application_token(laureate())


def url(name, arg):
    return lambda: reverse(f"programmes:{name}", args=[arg()])


def reports():
    return Report.objects.filter(programme=programme()).count()


def score():
    return Application.objects.get(pk=laureate().pk).score


def support_actions():
    return SupportAction.objects.filter(laureate=laureate()).count()


def links():
    return ProgrammeMission.objects.count()


def applications():
    return Application.objects.count()


def names():
    return list(Application.objects.order_by("pk").values_list("name", flat=True))


def operator():
    return Application.objects.get(pk=laureate().pk).operator_id


def notified():
    return list(Application.objects.values_list("notified_at", flat=True).order_by("pk"))


def unlinked_mission():
    """The demo's France Volontaires mission not yet counted for a laureate."""
    return {
        "mission": ProgrammeMission.mission.field.related_model.objects.filter(
            programme_link__isnull=True, quota__agreement__reference="TV-FR-BF-2023"
        )
        .first()
        .pk,
        "scheme": Programme.objects.get(pk=programme()).schemes.get(code="vsi").pk,
    }


def asc():
    return {"operator": Programme.objects.get(pk=programme()).operators.get(acronym="ASC").pk}


PUBLIC = {persona: 200 for persona in PERSONAS}
CLOSED = {persona: 403 for persona in PERSONAS}

ROWS = [
    Row("programmes:index", lambda: reverse("programmes:index"), everyone(200)),
    Row("programmes:detail", url("detail", programme), ADMIN_ONLY),
    Row("programmes:dashboard", url("dashboard", programme), ADMIN_ONLY),
    Row("programmes:dashboard_csv", url("dashboard_csv", programme), ADMIN_ONLY),
    Row(
        "programmes:report",
        url("report", programme),
        ADMIN_ACTS,
        method="post",
        data={"format": "csv", "language": "fr"},
        effect=reports,
    ),
    Row(
        "programmes:application",
        lambda: reverse("programmes:application", args=[laureate().pk]),
        ADMIN_ONLY,
    ),
    Row(
        "programmes:assess",
        lambda: reverse("programmes:assess", args=[laureate().pk]),
        ADMIN_ACTS,
        method="post",
        # Re-scored: its reason, told to the laureate, stays what it was.
        data={
            "score": "19",
            "comment": "Revu",
            "decision": "laureate",
            "reason": "Projet structuré, portage politique affirmé.",
        },
        effect=score,
    ),
    Row(
        "programmes:support_add",
        lambda: reverse("programmes:support_add", args=[laureate().pk]),
        ADMIN_ACTS,
        method="post",
        data={
            "strand": "codesign",
            "title": "Atelier",
            "date": "2023-03-01",
            "attendance": "5",
            "notes": "",
        },
        effect=support_actions,
    ),
    Row(
        "programmes:link_mission",
        lambda: reverse("programmes:link_mission", args=[laureate().pk]),
        ADMIN_ACTS,
        method="post",
        data=unlinked_mission,
        effect=links,
    ),
    # Every applicant of the demo's call is notified already: nothing to send, for anyone (the
    # service refuses and says when they were).
    Row(
        "programmes:notify",
        lambda: reverse("programmes:notify", args=[call().pk]),
        ADMIN_ACTS,
        method="post",
        effect=notified,
        performed_by=NOBODY,
    ),
    Row("programmes:apply", lambda: reverse("programmes:apply", args=[call().slug]), PUBLIC),
    Row(
        "programmes:apply",
        lambda: reverse("programmes:apply", args=[call().slug]),
        CLOSED,
        method="post",
        data={
            "name": "Commune de Test",
            "level": "commune",
            "siren": "217500016",
            "region": "Bretagne",
            "contact_name": "A",
            "contact_email": "a@example.org",
            "sending": "on",
            "missions_planned": "1",
        },
        effect=applications,
        performed_by=NOBODY,
    ),
    Row("programmes:applied", lambda: reverse("programmes:applied", args=[call().slug]), PUBLIC),
    Row("programmes:amend", lambda: reverse("programmes:amend", args=[token()]), PUBLIC),
    Row(
        "programmes:amend",
        lambda: reverse("programmes:amend", args=[token()]),
        CLOSED,
        method="post",
        data={
            "name": "Renommée",
            "level": "commune",
            "siren": "217500016",
            "region": "Bretagne",
            "contact_name": "A",
            "contact_email": "a@example.org",
            "sending": "on",
            "missions_planned": "1",
        },
        effect=names,
        performed_by=NOBODY,
    ),
    # The laureate's link is its key: whoever holds it chooses (anonymous included).
    Row(
        "programmes:choose_operator",
        lambda: reverse("programmes:choose_operator", args=[token()]),
        {persona: 302 for persona in PERSONAS},
        method="post",
        data=asc,
        effect=operator,
        performed_by=tuple(PERSONAS),
    ),
]
