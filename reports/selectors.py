"""Read-side queries of the reports, their visibility included."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from agencies import rules as access
from core.expressions import AnyOf

from .models import Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports follow their scope: an agreement's (evaluation reports included) are for both
    parties, an agency's for its members; a report of a draft evaluation stays with its
    authors' agency."""
    qs = Report.objects.select_related("agreement", "agency", "evaluation", "programme")
    if access.is_admin(user):
        return qs
    by_a, by_b, programmes, not_a_draft = _scope(user)
    # Semi-joins on the agreements (one per side, each read from its index alone) and on the
    # evaluations, each hashed once; not joins filtered with OR: a large agency is party to
    # thousands of agreements.
    ids = access.agency_ids_of(user)
    scope = (
        Q(agreement__in=by_a) | Q(agreement__in=by_b) | Q(agreement__isnull=True, agency__in=ids)
    )
    scope |= Q(programme__in=programmes)
    return qs.filter(scope & not_a_draft)


def _scope(user):
    """What a member's reports are read through: their agencies' agreements (as first party,
    as second), the programmes they read, and the rule that keeps a draft evaluation's report
    with its authors. Agreements, evaluations and programmes are declared above this generic
    app: read through the relations the report declares, not imported."""
    ids = access.agency_ids_of(user)
    agreements = Report.agreement.field.related_model.objects
    evaluations = Report.evaluation.field.related_model
    by_a = agreements.filter(party_a__in=ids).values("pk").order_by()
    by_b = agreements.filter(party_b__in=ids).values("pk").order_by()
    readable = evaluations.objects.filter(
        Q(status=evaluations.Status.PUBLISHED) | Q(agency__in=ids)
    ).values("pk")
    # A programme's reports: its staff and viewers (ProgrammeMember, declared above this app).
    programmes = (
        Report.programme.field.related_model.objects.filter(
            members__user=user, members__role__in=access.PROGRAMME_READERS
        )
        .values("pk")
        .order_by()
    )
    not_a_draft = Q(evaluation__isnull=True) | Q(evaluation__in=readable)
    return by_a, by_b, programmes, not_a_draft


def report_count_rows(user) -> QuerySet | None:
    """The ids of the reports ``user`` may download, for counting them (the list's capped
    count); ``None`` for the administrator, who reads them all. The same reports as
    ``reports_visible_to``, read as three disjoint parts, each through its own index: an
    agreement's (one array of the user's agreements, ``core.expressions.AnyOf``), an agency's
    (no agreement), a programme's (no agreement, not of the user's agencies: counted once).
    The ``OR`` of ``reports_visible_to`` reads the whole table to count its first 1,000."""
    if access.is_admin(user):
        return None
    ids = access.agency_ids_of(user)
    by_a, by_b, programmes, not_a_draft = _scope(user)
    reports = Report.objects.filter(not_a_draft).order_by()
    by_agreement = reports.filter(AnyOf("agreement", by_a.union(by_b, all=True)))
    by_agency = reports.filter(agreement__isnull=True, agency__in=ids)
    by_programme = reports.filter(AnyOf("programme", programmes), agreement__isnull=True).exclude(
        agency__in=ids
    )
    return by_agreement.values("pk").union(
        by_agency.values("pk"), by_programme.values("pk"), all=True
    )


# The list's order, total (the id last): the keys its pages past the count start after, read
# from the ``report_newest`` index.
REPORT_ORDER = ["-created_at", "-pk"]


# What a row of the list shows (and what its retry rule reads), not the file's checksum or the
# timestamps of its runs. The period and the parameters (a few keys) say a filtered report.
ROW_FIELDS = (
    *("kind", "format", "language", "status", "size", "error", "created_at", "scheduled_for"),
    *("period_start", "period_end", "params"),
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
