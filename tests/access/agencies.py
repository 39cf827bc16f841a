from django.contrib.sessions.models import Session
from django.urls import reverse

from agencies.middleware import SESSION_KEY
from agencies.models import Agency, HostStructure

from . import Row, everyone

FORBIDDEN_TO_READERS = {"evaluator": 403, "partner": 403}


def anvt():
    return Agency.objects.get(acronym="ANVT").pk


def anvt_structure():
    return HostStructure.objects.filter(agency__acronym="ANVT").order_by("pk").first().pk


def acting_agencies():
    """The agency each session acts for (a session without a choice acts for its first)."""
    return sorted(str(s.get_decoded().get(SESSION_KEY)) for s in Session.objects.all())


def structure_data():
    return {"name": "Maison des jeunes de Kara", "kind": "association", "city": "Kara",
            "country": "TG", "is_active": "on"}  # fmt: skip


def structures():
    return HostStructure.objects.count()


def structure_name():
    return HostStructure.objects.get(pk=anvt_structure()).name


ROWS = [
    Row("agencies:list", lambda: reverse("agencies:list"), everyone(200)),
    Row("agencies:detail", lambda: reverse("agencies:detail", args=[anvt()]), everyone(200)),
    Row(
        "agencies:switch",
        lambda: reverse("agencies:switch"),
        everyone(302),
        method="post",
        data=lambda: {"agency": anvt(), "next": "/"},
        effect=acting_agencies,
        # Only ANVT's members may act for ANVT; the others are told they are not members.
        performed_by={"manager", "officer", "evaluator", "partner"},
    ),
    Row(
        "agencies:hoststructure_list", lambda: reverse("agencies:hoststructure_list"), everyone(200)
    ),
    Row(
        "agencies:hoststructure_detail",
        lambda: reverse("agencies:hoststructure_detail", args=[anvt_structure()]),
        everyone(200, partner_agency=404, outsider=404),
    ),
    # Creating acts for the user's acting agency: any manager or officer may, for their own.
    Row(
        "agencies:hoststructure_create",
        lambda: reverse("agencies:hoststructure_create"),
        everyone(200, **FORBIDDEN_TO_READERS, admin=403),
    ),
    # Each manager or officer creates it for their own agency (VASE's officer for VASE).
    Row(
        "agencies:hoststructure_create",
        lambda: reverse("agencies:hoststructure_create"),
        everyone(302, **FORBIDDEN_TO_READERS, admin=403),
        method="post",
        data=structure_data,
        effect=structures,
    ),
    Row(
        "agencies:hoststructure_edit",
        lambda: reverse("agencies:hoststructure_edit", args=[anvt_structure()]),
        everyone(200, **FORBIDDEN_TO_READERS, partner_agency=404, outsider=404),
    ),
    Row(
        "agencies:hoststructure_edit",
        lambda: reverse("agencies:hoststructure_edit", args=[anvt_structure()]),
        everyone(302, **FORBIDDEN_TO_READERS, partner_agency=404, outsider=404),
        method="post",
        data=structure_data,
        effect=structure_name,
    ),
    # The download log of the agency one acts for: managers only, each of their own agency's
    # (CNPV's manager reads CNPV's); the administrator acts for no agency and reads every record
    # in the admin site.
    Row(
        "agencies:download_log",
        lambda: reverse("agencies:download_log"),
        everyone(403, manager=200, partner_agency=200),
    ),
]
