"""The pages that ``make bench`` measures, each beside its admin changelist and its bare SQL."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core import rules as access
from core.bench import Case
from exchanges.models import Agreement
from volunteers.models import Volunteer

PAGE_SIZE = 50


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
    agr_admin = reverse("admin:exchanges_agreement_changelist")
    visible = access.volunteers_registered_by(user)
    page = visible.order_by("last_name", "first_name", "pk")
    return [
        Case("home page", lambda: reverse("home")),
        Case(
            "volunteer list",
            lambda: reverse("volunteers:index"),
            lambda: vol_admin,
            lambda: _sql(page[:PAGE_SIZE]),
        ),
        Case(
            "volunteer list, filtered (status)",
            lambda: reverse("volunteers:index") + "?status=candidate",
            lambda: vol_admin + "?status__exact=candidate",
            lambda: _sql(page.filter(status="candidate")[:PAGE_SIZE]),
        ),
        Case(
            "volunteer list, eligible on today",
            lambda: reverse("volunteers:index") + f"?eligible_on={today}",
            lambda: vol_admin,
            lambda: _sql(page[:PAGE_SIZE]),
            goal_ms=150,
        ),
        Case(
            "volunteer list, searched by name",
            lambda: reverse("volunteers:index") + f"?q={some_name}",
            lambda: vol_admin + f"?q={some_name}",
            lambda: _sql(page.filter(last_name__icontains=some_name)[:PAGE_SIZE]),
        ),
        Case(
            "volunteer list, last page",
            lambda: reverse("volunteers:index") + "?page=200",
            lambda: vol_admin + "?p=199",
            lambda: _sql(page[199 * PAGE_SIZE : 200 * PAGE_SIZE]),
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
    ]
