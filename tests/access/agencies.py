from django.urls import reverse

from agencies.models import Agency, HostStructure

from . import Row, everyone

FORBIDDEN_TO_READERS = {"evaluator": 403, "partner": 403}


def anvt():
    return Agency.objects.get(acronym="ANVT").pk


def anvt_structure():
    return HostStructure.objects.filter(agency__acronym="ANVT").order_by("pk").first().pk


ROWS = [
    Row("agencies:list", lambda: reverse("agencies:list"), everyone(200)),
    Row("agencies:detail", lambda: reverse("agencies:detail", args=[anvt()]), everyone(200)),
    Row(
        "agencies:switch",
        lambda: reverse("agencies:switch"),
        everyone(302),
        method="post",
        data={"agency": "0", "next": "/"},
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
    Row(
        "agencies:hoststructure_create",
        lambda: reverse("agencies:hoststructure_create"),
        everyone(200, **FORBIDDEN_TO_READERS, admin=403),
        method="post",
    ),
    Row(
        "agencies:hoststructure_edit",
        lambda: reverse("agencies:hoststructure_edit", args=[anvt_structure()]),
        everyone(200, **FORBIDDEN_TO_READERS, partner_agency=404, outsider=404),
    ),
    Row(
        "agencies:hoststructure_edit",
        lambda: reverse("agencies:hoststructure_edit", args=[anvt_structure()]),
        everyone(200, **FORBIDDEN_TO_READERS, partner_agency=404, outsider=404),
        method="post",
    ),
]
