"""Read-side queries of the agencies app, their visibility included."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import rules as access
from .models import Agency, DownloadRecord, HostStructure, Membership

# --- Visibility (the role tables and memberships: ``agencies.rules``) -------------------------


def agencies_visible_to(user) -> QuerySet[Agency]:
    """The directory of agencies is public within the platform."""
    return Agency.objects.all() if access.is_admin(user) else Agency.objects.filter(is_active=True)


def host_structures_visible_to(user) -> QuerySet[HostStructure]:
    """Host structures are the managing agency's business: its members see them.

    Partner agencies see the structure of a mission through that mission, not the register of
    another agency's structures and contacts.
    """
    qs = HostStructure.objects.select_related("agency")
    if access.is_admin(user):
        return qs
    return qs.filter(agency__in=access.agency_ids_of(user))


def agency_directory(*, user) -> QuerySet[Agency]:
    return agencies_visible_to(user).annotate(
        host_structure_count=Count("host_structures", filter=Q(host_structures__is_active=True))
    )


def agency_host_structures(*, user, agency: Agency) -> QuerySet[HostStructure]:
    return host_structures_visible_to(user).filter(agency=agency).prefetch_related("themes")


def agency_members(*, agency: Agency) -> QuerySet[Membership]:
    return agency.memberships.select_related("user").order_by("role", "user__username")


def partner_ids_of(agency_ids: set[int]) -> set[int]:
    """Agencies that are party to an agreement with one of ``agency_ids`` (one query).

    A partner is one with whom an agreement was approved by both parties at least once and not
    terminated; a draft under negotiation makes nobody a partner yet. Agreements are declared
    above this app (exchanges): read through their relation to the agency, not imported.
    """
    if not agency_ids:
        return set()
    return set(_partner_ids(agency_ids))


def _partner_ids(agency_ids) -> QuerySet:
    Agreement = Agency.agreements_as_a.rel.related_model
    agreed = (
        Agreement.objects.filter(last_approved_version__isnull=False)
        .exclude(status=Agreement.Status.TERMINATED)
        .order_by()
    )
    as_a = agreed.filter(party_a__in=agency_ids).values_list("party_b_id", flat=True)
    as_b = agreed.filter(party_b__in=agency_ids).values_list("party_a_id", flat=True)
    return as_a.union(as_b)


def agency_partners(*, agency: Agency) -> QuerySet:
    """The partners' key, name and acronym (a page lists hundreds: rows, not instances),
    read in one query."""
    return Agency.objects.filter(pk__in=_partner_ids([agency.pk])).values("pk", "name", "acronym")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def agency_downloads(*, agency: Agency, filters: dict) -> QuerySet[DownloadRecord]:
    """The downloads made for ``agency``, newest first (index ``download_agency_newest``),
    narrowed by the filters of the log page (kind, part of a user name, first and last day)."""
    qs = DownloadRecord.objects.filter(agency=agency).select_related("user")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("user"):  # the user name recorded, or the account's name (a token's)
        part = filters["user"].strip()
        qs = qs.filter(
            Q(username__icontains=part)
            | Q(user__first_name__icontains=part)
            | Q(user__last_name__icontains=part)
        )
    # Days in the site's time zone, as bounds on ``at`` itself (the index serves them).
    if filters.get("since"):
        qs = qs.filter(at__gte=_start_of(filters["since"]))
    if filters.get("until"):
        qs = qs.filter(at__lt=_start_of(filters["until"] + datetime.timedelta(days=1)))
    return qs.order_by("-at", "-pk")
