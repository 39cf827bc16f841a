"""The partner API (issue 21) and its token page. Through a session, the API follows the same
rules as the pages: another agency's object is 404, too low a role 403; an anonymous request
gets a 401 problem rather than a redirect to the login page."""

import datetime

from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from api.models import ApiToken
from evaluations.models import Evaluation
from exchanges.models import Agreement, Approval
from missions.models import Mission, Placement
from reports.models import Report
from volunteers.models import Volunteer

from . import NOBODY, Row, everyone

ANON = {"anonymous": 401}
OUTSIDE = {"outsider": 404}
# Demo data: the rows point at ANVT's objects or at the ANVT–CNPV exchange.


def anvt_volunteer():
    """An ANVT volunteer without placements: no host agency sees them."""
    anvt = Volunteer.objects.filter(sending_agency__acronym="ANVT", placements__isnull=True)
    return anvt.order_by("pk").first().pk


def anvt_cnpv():
    return (
        Agreement.objects.filter(party_a__acronym="ANVT", party_b__acronym="CNPV")
        .order_by("pk")
        .first()
    )


def mission():
    return Mission.objects.filter(quota__agreement=anvt_cnpv()).order_by("pk").first().pk


def placement():
    return Placement.objects.filter(quota__agreement=anvt_cnpv()).order_by("pk").first().pk


def evaluation():
    return Evaluation.objects.filter(agreement=anvt_cnpv(), status="published").first().pk


def report():
    return Report.objects.filter(agreement=anvt_cnpv(), status="done").order_by("pk").first().pk


def nominated():
    """The ANVT–CNPV placement awaiting ANVT's decision (CNPV sends, ANVT hosts)."""
    placements = Placement.objects.filter(
        quota__agreement=anvt_cnpv(), quota__sending__acronym="CNPV"
    )
    return placements.order_by("-pk").first().pk


def placement_status():
    return Placement.objects.get(pk=nominated()).status


def volunteers():
    return Volunteer.objects.count()


def volunteer_city():
    return Volunteer.objects.get(pk=anvt_volunteer()).city


def approvals():
    return Approval.objects.filter(version__agreement=anvt_cnpv()).count()


def new_volunteer():
    return {"sending_agency": Agency.objects.get(acronym="ANVT").pk, "first_name": "Akossiwa",
            "last_name": "Mensah", "sex": "female", "birth_date": "2001-05-04",
            "nationality": "TG", "status": "candidate"}  # fmt: skip


def approval():
    agreement = anvt_cnpv()
    return {"agency": agreement.party_a_id, "sha256": agreement.current_version.sha256}


def nomination():
    volunteer = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("-pk").first()
    return {"mission": mission(), "volunteer": volunteer.pk}


def next_month():
    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def anvt_token():
    return ApiToken.objects.get(agency__acronym="ANVT").pk


def token_revoked():
    return ApiToken.objects.get(pk=anvt_token()).revoked_at is not None


def api(name, *args, expect, **kwargs):
    return Row(f"api:{name}", lambda: reverse(f"api:{name}", args=[a() for a in args]), expect,
               **kwargs)  # fmt: skip


WRITE = {"headers": {"Idempotency-Key": "matrix"}, "content_type": "application/json"}
READERS = everyone(200, **ANON)
PARTIES = everyone(200, **ANON, **OUTSIDE)

ROWS = [
    # The token page: the managers of the acting agency (CNPV's manager sees CNPV's page).
    Row(
        "api:tokens", lambda: reverse("api:tokens"), everyone(403, manager=200, partner_agency=200)
    ),
    Row(
        "api:tokens",
        lambda: reverse("api:tokens"),
        everyone(403, manager=302, partner_agency=302),
        method="post",
        data=lambda: {"name": "Registre", "role": "partner", "expires_on": next_month()},
        effect=lambda: ApiToken.objects.count(),
    ),
    Row(
        "api:token_revoke",
        lambda: reverse("api:token_revoke", args=[anvt_token()]),
        everyone(403, manager=302, partner_agency=404),
        method="post",
        effect=token_revoked,
    ),
    Row("api:schema", lambda: reverse("api:schema"), everyone(200, anonymous=200)),
    Row("api:docs", lambda: reverse("api:docs"), everyone(200, anonymous=200)),
    Row("api:not_found", lambda: "/api/v1/nothing/here/", everyone(404, anonymous=401)),
    api("agency_list", expect=READERS),
    api("agency_detail", lambda: Agency.objects.get(acronym="ANVT").pk, expect=READERS),
    api("volunteer_list", expect=READERS),
    # The full profile is the sending agency's: CNPV hosts none of the first ANVT volunteer's
    # placements, so it is not even visible to them.
    api(
        "volunteer_detail",
        anvt_volunteer,
        expect=everyone(200, **ANON, partner_agency=404, outsider=404),
    ),
    api(
        "volunteer_eligibility",
        anvt_volunteer,
        expect=everyone(200, **ANON, partner_agency=404, outsider=404),
    ),
    api("agreement_list", expect=READERS),
    api("agreement_detail", lambda: anvt_cnpv().pk, expect=PARTIES),
    api("version_list", lambda: anvt_cnpv().pk, expect=PARTIES),
    api("version_detail", lambda: anvt_cnpv().pk, lambda: 1, expect=PARTIES),
    api("quota_list", expect=READERS),
    api("mission_list", expect=READERS),
    api("mission_detail", mission, expect=PARTIES),
    api("placement_list", expect=READERS),
    api("placement_detail", placement, expect=PARTIES),
    api("evaluation_list", expect=READERS),
    api("evaluation_detail", evaluation, expect=PARTIES),
    api("report_list", expect=READERS),
    api("report_detail", report, expect=PARTIES),
    api("report_download", report, expect=PARTIES),
]

ROWS += [
    # Writes: through the same services and rules as the pages.
    api(
        "volunteer_list",
        method="post",
        data=new_volunteer,
        effect=volunteers,
        expect=everyone(201, **ANON, evaluator=403, partner=403, partner_agency=403, outsider=403),
        performed_by={"manager", "officer", "admin"},
        **WRITE,
    ),
    api(
        "volunteer_detail",
        anvt_volunteer,
        method="patch",
        data={"city": "Tchamba-Centre"},
        effect=volunteer_city,
        expect=everyone(
            200, **ANON, evaluator=403, partner=403, **{"partner_agency": 404}, outsider=404
        ),
        performed_by={"manager", "officer", "admin"},
        **WRITE,
    ),
    # Both parties approved the current version already: the managers of a party (and the
    # administrator, who holds every permission) reach the service, which refuses (409).
    api(
        "agreement_approve",
        lambda: anvt_cnpv().pk,
        method="post",
        data=approval,
        effect=approvals,
        expect=everyone(409, **ANON, officer=403, evaluator=403, partner=403, outsider=404),
        performed_by=NOBODY,
        **WRITE,
    ),
    # The first mission of the exchange is completed: nominating there is refused by the
    # service for those whom the rule lets try (ANVT's managers and officers, the admin).
    api(
        "placement_list",
        method="post",
        data=nomination,
        effect=lambda: Placement.objects.count(),
        expect=everyone(409, **ANON, evaluator=403, partner=403, partner_agency=403, outsider=404),
        performed_by=NOBODY,
        **WRITE,
    ),
    api(
        "placement_confirm",
        nominated,
        method="post",
        data={"note": "Bienvenue"},
        effect=placement_status,
        expect=everyone(
            200, **ANON, officer=403, evaluator=403, partner=403, partner_agency=403, outsider=404
        ),
        performed_by={"manager", "admin"},
        **WRITE,
    ),
    api(
        "placement_decline",
        nominated,
        method="post",
        data={"reason": "Profil incomplet"},
        effect=placement_status,
        expect=everyone(
            200, **ANON, officer=403, evaluator=403, partner=403, partner_agency=403, outsider=404
        ),
        performed_by={"manager", "admin"},
        **WRITE,
    ),
    api(
        "placement_cancel",
        nominated,
        method="post",
        data={"reason": "Désistement"},
        effect=placement_status,
        expect=everyone(403, **ANON, partner_agency=200, outsider=404, admin=200),
        performed_by={"partner_agency", "admin"},
        **WRITE,
    ),
    # The first placement of the exchange is completed: either side's officers and managers
    # (and the admin) reach the service of the mission page, which refuses (409).
    api(
        "placement_departure",
        placement,
        method="post",
        data=lambda: {"departure_date": "2017-06-01"},
        effect=lambda: Placement.objects.get(pk=placement()).status,
        expect=everyone(409, **ANON, evaluator=403, partner=403, outsider=404),
        performed_by=NOBODY,
        **WRITE,
    ),
    api(
        "placement_return",
        placement,
        method="post",
        data=lambda: {"return_date": "2017-12-01"},
        effect=lambda: Placement.objects.get(pk=placement()).return_date,
        expect=everyone(409, **ANON, evaluator=403, partner=403, outsider=404),
        performed_by=NOBODY,
        **WRITE,
    ),
    # A quota report of the exchange: whoever sees the agreement may request it, as on the
    # reports page.
    api(
        "report_list",
        method="post",
        data=lambda: {"scope": "agreement", "agreement": anvt_cnpv().pk, "format": "csv"},
        effect=lambda: Report.objects.count(),
        expect=everyone(201, **ANON, outsider=404),
        performed_by={"manager", "officer", "evaluator", "partner", "partner_agency", "admin"},
        **WRITE,
    ),
]
