"""Missions: rows point at missions of the ANVT–CNPV exchange, to which VASE (the outsider) is
no party. ANVT sends to the Mali missions (CNPV hosts) and hosts the Togo missions (CNPV sends).

The POST rows are performed for those allowed where the demo has an object in the state the
action needs (a nomination on the open Mali mission, the pending nomination on the Kpalimé
mission, a follow-up); elsewhere they act on completed placements or post empty forms, which
the services refuse to everyone (302 back to the mission with a message, or the form with its
errors): the matrix then checks who gets past the access rules, and that nothing changed.
"""

from django.urls import reverse

from devtools.demo_checklists import CHECKLIST_MISSION
from missions.models import ChecklistItem, FollowUp, Mission, Placement

from . import NOBODY, Row, everyone

READERS = {"evaluator": 403, "partner": 403}


def mission(title):
    return Mission.objects.get(title=title).pk


def mali_now():  # ANVT sends, CNPV hosts, open
    return mission("Volontariat et citoyenneté à Bamako")


def togo_2017():  # CNPV sends, ANVT hosts, completed
    return mission("Prévention et santé communautaire à Bè")


def placement(title):
    return Placement.objects.filter(mission__title=title).order_by("pk").first().pk


def mali_placement():
    return placement("Lutte contre le décrochage scolaire à Magnambougou")


def togo_placement():
    return placement("Prévention et santé communautaire à Bè")


def kpalime_nomination():  # CNPV sends, ANVT hosts, nominated
    return placement("Reboisement et écologie à Kpalimé")


def follow_up():
    return FollowUp.objects.filter(placement=togo_placement()).order_by("pk").first().pk


def nomination():
    """An eligible ANVT volunteer for the open Mali mission, placed nowhere (the page marks
    those placed on overlapping dates, whom the service refuses)."""
    from missions.selectors import nomination_candidates

    candidates, _ = nomination_candidates(
        mission=Mission.objects.get(pk=mali_now()), eligible_only=True
    )
    return {"volunteer": candidates.filter(placements__isnull=True).order_by("pk").first().pk}


def checklist_item(kind):
    """An item of the demo's checklist: ANVT sends, VASE (the outsider) hosts."""
    return lambda: (
        ChecklistItem.objects.get(placement__mission__title=CHECKLIST_MISSION, kind=kind).pk
    )


def missions():
    return Mission.objects.count()


def state(model, pk):
    return lambda: model.objects.filter(pk=pk()).values().get()


def placements():
    return Placement.objects.count()


def url(name, pk):
    return lambda: reverse(f"missions:{name}", args=[pk()])


def kpalime_proof():
    """The proof document the demo attaches to the Kpalimé nominee's experience."""
    placement = Placement.objects.get(pk=kpalime_nomination())
    experience = placement.volunteer.experiences.exclude(proof="").order_by("pk").first()
    return reverse("missions:nominee_proof", args=[placement.pk, experience.pk])


# The reduced profile of a nominee: every member of the host agency (ANVT hosts Kpalimé), the
# sender's members are sent to the full profile (CNPV sent it), others 404.
HOST_READS = everyone(200, partner_agency=302, outsider=404)
# A placement ANVT sent (Magnambougou, CNPV hosts): ANVT's members go to the full profile.
SENDER_REDIRECTED = everyone(302, partner_agency=200, outsider=404, admin=200)
# The checklist's items are kept by their responsible agency's officers and managers (ANVT
# sends the demo's checklist placement; VASE, the outsider to the rows above, hosts it and sees
# it); its documents are read by both sides' officers and managers.
CHECKLIST_KEEPS = everyone(302, **READERS, partner_agency=404, outsider=403)
CHECKLIST_READS = everyone(200, **READERS, partner_agency=404)

# The host's officers and managers edit; the sender's officers and managers nominate and cancel.
HOST_EDITS = everyone(200, **READERS, partner_agency=403, outsider=404)
SENDER_ACTS = everyone(302, **READERS, partner_agency=403, outsider=404)
# Only the host's managers decide (ANVT hosts the Togo placement; CNPV sent it).
HOST_DECIDES = everyone(302, officer=403, **READERS, partner_agency=403, outsider=404)
# Either side's officers and managers record departure, return, withdrawal and follow-ups.
EITHER_RECORDS = everyone(302, **READERS, outsider=404)

ROWS = [
    Row("missions:index", lambda: reverse("missions:index"), everyone(200)),
    Row("missions:inbox", lambda: reverse("missions:inbox"), everyone(200)),
    # Officers and managers of any agency create missions for the agencies they host for.
    Row("missions:create", lambda: reverse("missions:create"), everyone(200, **READERS)),
    Row(
        "missions:create",
        lambda: reverse("missions:create"),
        everyone(200, **READERS),
        method="post",
        effect=missions,
    ),
    Row("missions:detail", url("detail", mali_now), everyone(200, outsider=404), variant="mali"),
    Row("missions:detail", url("detail", togo_2017), everyone(200, outsider=404), variant="togo"),
    Row("missions:edit", url("edit", togo_2017), HOST_EDITS),
    Row(
        "missions:edit",
        url("edit", togo_2017),
        HOST_EDITS,
        method="post",
        effect=state(Mission, togo_2017),
    ),
    Row(
        "missions:nominate",
        url("nominate", mali_now),
        everyone(200, **READERS, partner_agency=403, outsider=404),
    ),
    Row(
        "missions:nominate",
        url("nominate", mali_now),
        SENDER_ACTS,
        method="post",
        data=nomination,
        effect=placements,
    ),
    Row("missions:nominee", url("nominee", kpalime_nomination), HOST_READS, variant="hosted"),
    Row("missions:nominee", url("nominee", mali_placement), SENDER_REDIRECTED, variant="sent"),
    Row("missions:nominee_proof", kpalime_proof, HOST_READS),
    Row(
        "missions:cancel",
        url("cancel", mali_placement),
        SENDER_ACTS,
        method="post",
        effect=state(Placement, mali_placement),
        performed_by=NOBODY,  # completed
    ),
    Row(
        "missions:confirm",
        url("confirm", togo_placement),
        HOST_DECIDES,
        method="post",
        effect=state(Placement, togo_placement),
        performed_by=NOBODY,  # completed
    ),
    Row(
        "missions:decline",
        url("decline", kpalime_nomination),
        HOST_DECIDES,
        method="post",
        data={"reason": "Profil sans lien avec la mission."},
        effect=state(Placement, kpalime_nomination),
    ),
    Row(
        "missions:deploy",
        url("deploy", togo_placement),
        EITHER_RECORDS,
        method="post",
        effect=state(Placement, togo_placement),
        performed_by=NOBODY,  # completed, and no date
    ),
    Row(
        "missions:complete",
        url("complete", togo_placement),
        EITHER_RECORDS,
        method="post",
        effect=state(Placement, togo_placement),
        performed_by=NOBODY,  # completed, and no date
    ),
    Row(
        "missions:withdraw",
        url("withdraw", togo_placement),
        EITHER_RECORDS,
        method="post",
        effect=state(Placement, togo_placement),
        performed_by=NOBODY,  # completed, and no reason
    ),
    Row(
        "missions:checklist_item",
        url("checklist_item", checklist_item("ticket")),
        CHECKLIST_KEEPS,
        method="post",
        data={"status": "done", "note": "Billet émis"},
        effect=state(ChecklistItem, checklist_item("ticket")),
    ),
    Row(
        "missions:checklist_document",
        url("checklist_document", checklist_item("visa")),
        CHECKLIST_READS,
    ),
    Row(
        "missions:follow_up",
        url("follow_up", follow_up),
        EITHER_RECORDS,
        method="post",
        data={"situation": "studying", "note": "Master en santé publique."},
        effect=state(FollowUp, follow_up),
    ),
]
