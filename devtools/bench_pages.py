"""The pages that ``make bench`` measures, each beside its admin changelist and its bare SQL."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from devtools.bench import Case, Job
from exchanges.models import Agreement
from exchanges.quota_report import Scope, build_quota_report, render_csv, render_html
from missions.models import Mission
from reports.pdf import render_pdf
from reports.selectors import reports_visible_to
from volunteers.models import Volunteer
from volunteers.selectors import CappedPaginator, eligible_q, volunteers_registered_by

PAGE_SIZE = 50
LAST_PAGE = CappedPaginator.cap // PAGE_SIZE  # the deepest page the list offers


def main_user() -> str:
    return "bench-officer"


def _sql(qs):
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def cases(user) -> list[Case]:
    agency = user.memberships.select_related("agency").first().agency
    volunteers = Volunteer.objects.filter(sending_agency=agency)
    sample = volunteers.order_by("pk").first()
    some_name = sample.last_name.split("-")[0]
    agreements = Agreement.objects.filter(Q(party_a=agency) | Q(party_b=agency))
    agreement = agreements.order_by("-pk").first()
    today = timezone.localdate().isoformat()
    vol_admin = reverse("admin:volunteers_volunteer_changelist")
    volunteer_list = reverse("volunteers:index")
    last_rows = slice((LAST_PAGE - 1) * PAGE_SIZE, LAST_PAGE * PAGE_SIZE)
    agr_admin = reverse("admin:exchanges_agreement_changelist")
    visible = volunteers_registered_by(user)
    page = visible.order_by("last_name", "first_name", "pk")
    mission = (
        Mission.objects.filter(quota__sending=agency, status=Mission.Status.OPEN)
        .order_by("-start_date", "pk")
        .first()
    )
    nominate = reverse("missions:nominate", args=[mission.pk])
    candidates = Volunteer.objects.filter(sending_agency=agency, anonymised_at__isnull=True)
    reports = reports_visible_to(user)
    return [
        Case("home page", lambda: reverse("home")),
        Case(
            "volunteer list",
            lambda: volunteer_list,
            lambda: vol_admin,
            lambda: _sql(page[:PAGE_SIZE]),
        ),
        Case(
            "volunteer list, filtered (status)",
            lambda: volunteer_list + "?status=candidate",
            lambda: vol_admin + "?status__exact=candidate",
            lambda: _sql(page.filter(status="candidate")[:PAGE_SIZE]),
        ),
        Case(
            "volunteer list, searched by name",
            lambda: volunteer_list + f"?q={some_name}",
            lambda: vol_admin + f"?q={some_name}",
            lambda: _sql(page.filter(last_name__icontains=some_name)[:PAGE_SIZE]),
        ),
        Case(
            "volunteer list, searched, last page",
            lambda: volunteer_list + f"?q={some_name}&page={LAST_PAGE}",
            lambda: vol_admin + f"?q={some_name}&p={LAST_PAGE - 1}",
            lambda: _sql(page.filter(last_name__icontains=some_name)[last_rows]),
        ),
        Case(
            "volunteer list, last page",
            lambda: volunteer_list + f"?page={LAST_PAGE}",
            lambda: vol_admin + f"?p={LAST_PAGE - 1}",
            lambda: _sql(page[last_rows]),
        ),
        Case(
            "volunteer list, eligible on today",
            lambda: volunteer_list + f"?eligible_on={today}",
            lambda: vol_admin,
            lambda: _sql(page.filter(eligible_q(timezone.localdate()))[:PAGE_SIZE]),
            goal_ms=150,
        ),
        Case(
            "volunteer list, eligible, last page",
            lambda: volunteer_list + f"?eligible_on={today}&page={LAST_PAGE}",
            lambda: vol_admin + f"?p={LAST_PAGE - 1}",
            lambda: _sql(page.filter(eligible_q(timezone.localdate()))[last_rows]),
            goal_ms=150,
        ),
        Case(
            "volunteer detail",
            lambda: reverse("volunteers:detail", args=[sample.pk]),
            lambda: reverse("admin:volunteers_volunteer_change", args=[sample.pk]),
            lambda: _sql(Volunteer.objects.filter(pk=sample.pk)),
        ),
        Case(
            "agreement list",
            lambda: reverse("exchanges:index"),
            lambda: agr_admin,
            lambda: _sql(agreements.order_by("-start_date", "reference")[:PAGE_SIZE]),
        ),
        Case(
            "agreement detail",
            lambda: reverse("exchanges:detail", args=[agreement.pk]),
            lambda: reverse("admin:exchanges_agreement_change", args=[agreement.pk]),
            lambda: _sql(agreement.quotas.all()),
        ),
        Case(
            "nominate page (candidates)",
            lambda: nominate,
            lambda: vol_admin + f"?sending_agency__id__exact={agency.pk}",
            lambda: _sql(candidates.order_by("last_name", "first_name", "pk")[:PAGE_SIZE]),
        ),
        Case(
            "nominate page, eligible only",
            lambda: nominate + "?eligible=on",
            lambda: vol_admin + f"?sending_agency__id__exact={agency.pk}",
            lambda: _sql(candidates.order_by("last_name", "first_name", "pk")[:PAGE_SIZE]),
            goal_ms=150,
        ),
        Case(
            "reports page",
            lambda: reverse("reports:index"),
            lambda: reverse("admin:reports_report_changelist"),
            lambda: _sql(reports.order_by("-created_at", "-pk")[:PAGE_SIZE]),
        ),
    ]


def jobs(user) -> list[Job]:
    """Work done outside a request: the quota report (one agency, all agreements)."""
    agency = user.memberships.select_related("agency").first().agency

    def quota_csv(scope):
        return lambda: render_csv(build_quota_report(scope=scope, title="bench"))

    def quota_pdf(scope):
        return lambda: render_pdf(render_html(build_quota_report(scope=scope, title="bench")))

    mine = Scope(agency_id=agency.pk)
    return [
        Job(f"quota report CSV, agreements of {agency.acronym}", quota_csv(mine), goal_s=2),
        Job("quota report CSV, all agreements", quota_csv(Scope()), goal_s=2),
        Job(f"quota report PDF, agreements of {agency.acronym}", quota_pdf(mine), repeat=1),
    ]
