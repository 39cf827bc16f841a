"""Read-side queries of the agencies app. Visibility itself lives in ``core.rules``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core import rules as access

from .models import Agency, HostStructure, Membership


def agency_directory(*, user) -> QuerySet[Agency]:
    return access.agencies_visible_to(user).annotate(
        host_structure_count=Count("host_structures", filter=Q(host_structures__is_active=True))
    )


def agency_host_structures(*, user, agency: Agency) -> QuerySet[HostStructure]:
    return access.host_structures_visible_to(user).filter(agency=agency).prefetch_related("themes")


def agency_members(*, agency: Agency) -> QuerySet[Membership]:
    return agency.memberships.select_related("user").order_by("role", "user__username")


def agency_partners(*, agency: Agency) -> QuerySet[Agency]:
    from exchanges.selectors import partner_ids_of

    return Agency.objects.filter(pk__in=partner_ids_of({agency.pk}))
