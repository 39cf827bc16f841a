"""The volunteers' voice: rows point at the ANVT → CNPV placements of the 2017 cohort
(load_demo: devtools/demo_voice.py). The volunteer's link needs no account: everyone holding it
(anonymous included) reaches that placement's questionnaire and certificate, and nothing else;
a link without a certificate gets none. Staff pages follow the placement's visibility (VASE:
404); the host (CNPV) assesses, the sender's managers revoke, both sides' officers and
managers record support actions."""

from django.urls import reverse

from devtools.demo_voice import demo_voice_placements
from missions.models import FollowUp
from voice.certificates import shown_code
from voice.links import link_issue
from voice.models import Certificate, HostAssessment, Questionnaire, SupportAction

from . import PERSONAS, Row, everyone

ALL = tuple(PERSONAS)  # a link's holder, whoever is logged in


def certified():
    return Certificate.objects.select_related("placement").get(
        placement__quota__sending__acronym="ANVT"
    )


def pending():
    return Questionnaire.objects.get(
        placement__in=demo_voice_placements(), submitted_at__isnull=True
    )


def link(questionnaire, name):
    """A fresh link (the demo's tokens are stored hashed: unknown to the test)."""
    return lambda: reverse(f"voice:{name}", args=[link_issue(questionnaire=questionnaire())])


def certified_questionnaire():
    return certified().placement.questionnaire


def placement():
    return certified().placement_id


def pending_state():
    q = pending()
    return q.comments, q.language, q.submitted_at


def assessment_state():
    return list(
        HostAssessment.objects.filter(placement=placement()).values_list("contribution", "comments")
    )


def certificate_state():
    return Certificate.objects.filter(pk=certified().pk).values_list("revoked_at", flat=True).get()


def follow_up():
    return FollowUp.objects.get(placement=placement(), due_month=3)


def support_state():
    return SupportAction.objects.filter(follow_up=follow_up()).count()


PUBLIC = dict.fromkeys(PERSONAS, 200)
NOWHERE = dict.fromkeys(PERSONAS, 404)
STAFF_READ = everyone(200, outsider=404)
LINK_POST = dict.fromkeys(PERSONAS, 302)

ROWS = [
    Row("voice:answer", link(certified_questionnaire, "answer"), PUBLIC),
    Row(
        "voice:answer",
        link(pending, "answer"),
        LINK_POST,
        method="post",
        data={"comments": "Un brouillon", "save": "1"},
        effect=pending_state,
        performed_by=ALL,
    ),
    Row(
        "voice:language",
        link(pending, "language"),
        LINK_POST,
        method="post",
        data={"language": "en"},
        effect=pending_state,
        performed_by=ALL,
    ),
    Row("voice:certificate", link(certified_questionnaire, "certificate"), PUBLIC),
    # The link of a placement without a certificate reaches no certificate, not another's.
    Row("voice:certificate", link(pending, "certificate"), NOWHERE, variant="uncertified"),
    Row(
        "voice:verify", lambda: reverse("voice:verify", args=[shown_code(certified().code)]), PUBLIC
    ),
    Row("voice:placement", lambda: reverse("voice:placement", args=[placement()]), STAFF_READ),
    Row(
        "voice:assess",
        lambda: reverse("voice:assess", args=[placement()]),
        everyone(403, partner_agency=302, admin=302, outsider=404),
        method="post",
        data={"contribution": 2, "punctuality": 3, "integration": 4, "comments": "Revu"},
        effect=assessment_state,
    ),
    Row(
        "voice:certificate_download",
        lambda: reverse("voice:certificate_download", args=[certified().pk]),
        STAFF_READ,
    ),
    Row(
        "voice:certificate_revoke",
        lambda: reverse("voice:certificate_revoke", args=[certified().pk]),
        everyone(403, manager=302, admin=302, outsider=404),
        method="post",
        data={"reason": "Erreur"},
        effect=certificate_state,
    ),
    Row(
        "voice:support_action_add",
        lambda: reverse("voice:support_action_add", args=[follow_up().pk]),
        everyone(302, evaluator=403, partner=403, outsider=404),
        method="post",
        data={"kind": "training", "outcome": "planned"},
        effect=support_state,
    ),
    Row(
        "voice:agreement_insertion",
        lambda: reverse(
            "voice:agreement_insertion", args=[certified().placement.quota.agreement_id]
        ),
        STAFF_READ,
    ),
]
