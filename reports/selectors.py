"""Read-side queries of the reports, their visibility included."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from agencies import rules as access

from .models import Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports follow their scope: an agreement's (evaluation reports included) are for both
    parties, an agency's for its members; a report of a draft evaluation stays with its
    authors' agency."""
    qs = Report.objects.select_related("agreement", "agency", "evaluation", "programme")
    if access.is_admin(user):
        return qs
    ids = access.agency_ids_of(user)
    # Agreements and evaluations are declared above this generic app: read through the
    # relations the report declares, not imported. Semi-joins on the agreements (one per side,
    # each read from its index alone) and on the evaluations, each hashed once; not joins
    # filtered with OR: a large agency is party to thousands of agreements.
    agreements = Report.agreement.field.related_model.objects
    evaluations = Report.evaluation.field.related_model
    by_a = agreements.filter(party_a__in=ids).values("pk")
    by_b = agreements.filter(party_b__in=ids).values("pk")
    readable = evaluations.objects.filter(
        Q(status=evaluations.Status.PUBLISHED) | Q(agency__in=ids)
    ).values("pk")
    scope = (
        Q(agreement__in=by_a) | Q(agreement__in=by_b) | Q(agreement__isnull=True, agency__in=ids)
    )
    # A programme's reports: its staff and viewers (ProgrammeMember, declared above this app).
    programmes = Report.programme.field.related_model.objects.filter(
        members__user=user, members__role__in=access.PROGRAMME_READERS
    ).values("pk")
    scope |= Q(programme__in=programmes)
    not_a_draft = Q(evaluation__isnull=True) | Q(evaluation__in=readable)
    return qs.filter(scope & not_a_draft)


# The list's order, total (the id last): the keys its pages past the count start after, read
# from the ``report_newest`` index.
REPORT_ORDER = ["-created_at", "-pk"]


# What a row of the list shows (and what its retry rule reads), not the file's checksum, the
# parameters' JSON or the timestamps of its runs.
ROW_FIELDS = (
    *("kind", "format", "language", "status", "size", "error", "created_at", "scheduled_for"),
    *("agency", "evaluation", "programme", "requested_by"),
    *("agreement__reference", "agreement__party_a__acronym", "agreement__party_b__acronym"),
)
Evaluations = Report.evaluation.field.related_model.objects
Programmes = Report.programme.field.related_model.objects
Agencies = Report.agency.field.related_model.objects
Users = Report.requested_by.field.related_model.objects


def report_list(*, user) -> QuerySet[Report]:
    """Every report ``user`` may download, newest first, with what its row shows."""
    return (
        reports_visible_to(user)
        .select_related(None)
        .select_related("agreement__party_a", "agreement__party_b")
        .only(*ROW_FIELDS)
        .prefetch_related(
            Prefetch("evaluation", Evaluations.only("title", "version")),
            Prefetch("programme", Programmes.only("name")),
            Prefetch("agency", Agencies.only("acronym")),
            Prefetch("requested_by", Users.only("username", "first_name", "last_name")),
        )
        .order_by(*REPORT_ORDER)
    )
