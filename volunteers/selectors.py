"""Read-side queries of the volunteers app, their visibility included."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.core.paginator import Page
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from agencies import rules as access
from agencies.models import Theme
from agencies.themes import theme_label
from core import keyset
from core.pagination import CappedPaginator

from .eligibility import VIR_RULES, Eligibility, Rules, evaluate, latest_birth_date
from .models import Experience, ExperienceSpan, Volunteer, VolunteerExport, VolunteerImport
from .validators import sniff

# --- Visibility (the role tables and memberships: ``agencies.rules``) -------------------------


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    """Volunteers whose sending agency is one of the user's agencies (admins: all).

    Extended by placements: an agency hosting a volunteer (nominated to one of its missions)
    sees that volunteer on its mission's page. The profile page asks ``vir.view_full_volunteer``
    (members of the sending agency), so the host gets 403 there: the host reads the reduced
    profile of a placement instead (``missions:nominee``, rule ``vir.view_nominee``).
    """
    qs = Volunteer.objects.select_related("sending_agency")
    if access.is_admin(user):
        return qs
    ids = access.agency_ids_of(user)
    # Placements are declared above this app (missions): read through their relation to the
    # volunteer, not imported. Only the host agency of one of their placements sees them.
    hosted = Volunteer.placements.rel.related_model.objects.filter(
        volunteer=OuterRef("pk"), quota__receiving__in=ids
    )
    return qs.filter(Q(sending_agency__in=ids) | Exists(hosted))


def volunteers_registered_by(user) -> QuerySet[Volunteer]:
    """The register of the user's agencies: the volunteers they send (admins: all).

    The volunteer list shows this register; a hosted volunteer is reached from the mission's
    page. Kept apart from ``volunteers_visible_to`` on purpose: the OR with the hosted
    volunteers cannot walk the (agency, name) index (docs/performance.md).
    """
    qs = Volunteer.objects.select_related("sending_agency")
    if access.is_admin(user):
        return qs
    return qs.filter(sending_agency__in=access.agency_ids_of(user))


def volunteers_exportable_by(user) -> QuerySet[Volunteer]:
    """The list export holds contact details: only for the agencies where the user manages
    volunteers (officers and managers), not for every agency whose list they may read."""
    qs = Volunteer.objects.select_related("sending_agency")
    if access.is_admin(user):
        return qs
    return qs.filter(sending_agency__in=access.agency_ids_with(user, access.MANAGE_VOLUNTEERS))


def volunteer_exports_visible_to(user) -> QuerySet[VolunteerExport]:
    """An export holds contact details chosen by one member's filters: it is that member's
    (admins: all). The download also asks ``vir.export_volunteers`` again."""
    qs = VolunteerExport.objects.select_related("requested_by")
    if access.is_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(requested_by=user)


def volunteer_imports_visible_to(user) -> QuerySet[VolunteerImport]:
    qs = VolunteerImport.objects.select_related("agency", "uploaded_by")
    if access.is_admin(user):
        return qs
    return qs.filter(agency__in=access.agency_ids_of(user))


def _days_before(on: datetime.date, days: int) -> datetime.date:
    try:
        return on - datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.min


def age_between_q(
    on: datetime.date, *, min_age: int | None = None, max_age: int | None = None
) -> Q:
    """Volunteers aged ``min_age`` to ``max_age`` (inclusive) on ``on``, as a birth-date range.

    An anonymised volunteer's day of birth was erased (the stored one stands in, within the
    year): they are in only if every day of their year of birth is in the range, as
    ``eligibility.evaluate`` decides with ``year_only``. That narrows the range's rows, so an
    index on the birth date still answers it."""
    q, year = Q(), Q()
    if min_age is not None:
        latest = latest_birth_date(on, min_age)
        q &= Q(birth_date__lte=latest)
        last_year = latest.year if (latest.month, latest.day) == (12, 31) else latest.year - 1
        year &= Q(birth_date__lte=_year_end(last_year))
    if max_age is not None:
        too_old = latest_birth_date(on, max_age + 1)
        q &= Q(birth_date__gt=too_old)
        year &= Q(birth_date__gt=_year_end(too_old.year))
    return q & (Q(anonymised_at__isnull=True) | year) if year else q


def _year_end(year: int) -> datetime.date:
    return datetime.date(max(min(year, datetime.MAXYEAR), datetime.MINYEAR), 12, 31)


def eligible_q(on: datetime.date, rules: Rules = VIR_RULES) -> Q:
    """The SQL form of ``eligibility.evaluate(...).eligible``: tested to agree with it.

    Age is a birth-date range. Experience under the VIR rule is a column,
    ``experience_met_on``, compared on each row; under other rules it uses the precomputed
    spans (``ExperienceSpan``): experience on ``on`` reaches ``n`` days when a span has
    ``origin <= on - n`` and ``days_through >= n`` (or is ongoing).
    """
    q = age_between_q(on, min_age=rules.min_age, max_age=rules.max_age)
    needed = rules.min_experience_days
    if needed == VIR_RULES.min_experience_days:
        q &= Q(experience_met_on__lte=on)
    elif needed > 0:
        spans = ExperienceSpan.objects.filter(
            Q(days_through__gte=needed) | Q(days_through__isnull=True),
            volunteer=OuterRef("pk"),
            origin__lte=_days_before(on, needed),
        )
        q &= Exists(spans)
    return q


def with_eligibility(
    queryset: QuerySet[Volunteer], on: datetime.date, rules: Rules = VIR_RULES
) -> QuerySet[Volunteer]:
    """Annotate ``eligible`` (on ``on``) without a query per row.

    For filtering and small sets: on a page of a long list use ``mark_eligibility``, because
    PostgreSQL may evaluate the annotation over every row before the ``LIMIT``.
    """
    return queryset.annotate(
        eligible=ExpressionWrapper(eligible_q(on, rules), output_field=BooleanField())
    )


# What a row of the volunteer list shows, and the keys its sorts and keyset pages read.
LIST_COLUMNS = (
    "first_name", "last_name", "birth_date", "nationality", "diaspora", "status",
    "anonymised_at", "updated_at", "experience_met_on",
)  # fmt: skip


def for_list_rows(queryset: QuerySet[Volunteer], *, with_agency: bool) -> QuerySet[Volunteer]:
    """``queryset`` reading the columns the list's rows show, and their agency's acronym only
    when the list shows it (a member of one agency: no join, no agency built per row)."""
    if with_agency:
        return queryset.select_related("sending_agency").only(
            *LIST_COLUMNS, "sending_agency__acronym"
        )
    return queryset.select_related(None).only(*LIST_COLUMNS)


def mark_eligibility(volunteers: list[Volunteer], on: datetime.date) -> list[Volunteer]:
    """Set ``eligible`` (on ``on``, under the VIR rules; None when an anonymised volunteer's
    year of birth cannot decide it) on each volunteer of a page, from the row's own columns:
    ``eligible_q``'s birth-date range and ``experience_met_on`` (tested to agree with it),
    without a query."""
    rules = VIR_RULES
    youngest = latest_birth_date(on, rules.min_age)
    oldest = latest_birth_date(on, rules.max_age + 1)  # born on it or before: too old
    for v in volunteers:
        met_on = v.experience_met_on
        experienced = met_on is not None and met_on <= on
        if not v.is_anonymised:
            v.eligible = experienced and oldest < v.birth_date <= youngest
            continue
        # The year of birth only (``evaluate(..., year_only=True)``): eligible if every day of
        # it passes the age rule, not if none does, undecided (None) otherwise.
        first, last = datetime.date(v.birth_date.year, 1, 1), _year_end(v.birth_date.year)
        if not experienced or last <= oldest or first > youngest:
            v.eligible = False
        else:
            v.eligible = True if oldest < first and last <= youngest else None
    return volunteers


def mark_themes(volunteers: list[Volunteer]) -> list[tuple[int, str]]:
    """Set ``theme_list`` (their labels, by name) on each volunteer of a page, and return every
    theme as ``(id, label)`` by name (the filter bar's select): one query for both.

    Written in SQL: the ORM spent 2.5 ms building the query of the page's themes for 0.7 ms of
    execution, and the select read the themes in a query of its own (docs/performance.md)."""
    labels: dict[int, list[str]] = {v.pk: [] for v in volunteers}
    qn, through = connection.ops.quote_name, Volunteer.themes.through._meta
    links, themes = qn(through.db_table), qn(Theme._meta.db_table)
    volunteer = qn(through.get_field("volunteer").column)
    theme = qn(through.get_field("theme").column)
    on_page = f"link.{volunteer} IN ({', '.join(['%s'] * len(labels))})" if labels else "1 = 0"
    # The names come from the models, the ids are parameters.
    sql = (
        f"SELECT t.id, t.code, t.name, link.{volunteer} FROM {themes} t "  # noqa: S608
        f"LEFT JOIN {links} link ON link.{theme} = t.id AND {on_page} ORDER BY t.name, t.id"
    )
    every: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(labels))
        for theme_id, code, name, volunteer_id in cursor.fetchall():
            label = every.setdefault(theme_id, theme_label(code, name))
            if volunteer_id is not None:
                labels[volunteer_id].append(label)
    for v in volunteers:
        v.theme_list = labels[v.pk]
    return list(every.items())


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The volunteers whose names or e-mail contain every word of ``text`` (five at most),
    whatever their accents and case: "eleonore" finds "Éléonore" (``core.search``)."""
    for word in text.split()[:5]:
        queryset = queryset.filter(search_text__matches=word)
    return queryset


def _sorted(field: str) -> OrderBy:
    """``field``'s order through ``COALESCE(field, field)``: the same order, which no index
    gives, so that PostgreSQL collects the matches from the trigram index and sorts them
    instead of walking the name index and checking every row."""
    name = field.lstrip("-")
    return OrderBy(Coalesce(F(name), F(name)), descending=field.startswith("-"))


class SearchReader:
    """The rows of a search (``searched``: ``register`` with its search) in the register's
    order ``keys``, read the cheapest way the data allows.

    A page first collects up to the count's cap of matches, in no order, with their sort keys
    (one read of an index). Fewer than the cap: those are every match, and a page is read by
    id. More: the term is common, and the sample already holds the page's rows or others
    before them in the order, so the page ends at or before the sample's ``start + count``-th
    key. The page is read in the register's order up to that key: the name indexes carry the
    search text (migration 0021), so that walk reads no table row and passes a volunteer in
    about a fifth of a microsecond. A surname thousands share gathers in one part of the name
    order: the walk passes every name before it, still cheaper than fetching and sorting its
    thousands of matches. When the planner expects the walk to pass more than ``WALK_LIMIT``
    rows (the administrator's register, a surname late in the alphabet), or the walk falls
    short (a collation that orders the sample otherwise), every match is sorted instead.
    Measured in docs/performance.md."""

    WALK_LIMIT = 200_000

    def __init__(self, searched: QuerySet, register: QuerySet, keys: list[str]):
        self.searched, self.register, self.keys = searched, register, keys
        self.names = [key.lstrip("-") for key in keys]
        self.sample: list[tuple] | None = None  # the counted page's matches, with their keys

    def _sample(self, where: Q) -> list[tuple]:
        cap = CappedPaginator.cap
        return list(self.searched.filter(where).order_by().values_list(*self.names)[:cap])

    def __call__(self, where: Q, start: int, count: int) -> list:
        sample = self.sample if self.sample is not None else self._sample(where)
        if len(sample) < CappedPaginator.cap:  # every match: read by id
            ids = [row[-1] for row in sample]  # the last key is the id
            return list(self.register.filter(where, pk__in=ids)[start : start + count])
        bound = keyset.up_to(self.keys, list(self._ordered(sample)[start + count - 1]))
        if self._walk_is_short(where & bound):
            searched = self.searched.filter(where & bound)
            ids = list(searched.values_list("pk", flat=True)[start : start + count])
            if len(ids) == count:
                return list(self.register.filter(pk__in=ids))
        sorted_keys = map(_sorted, self.keys)
        return list(self.searched.filter(where).order_by(*sorted_keys)[start : start + count])

    def _ordered(self, rows: list[tuple]) -> list[tuple]:
        """``rows`` in the order of ``keys``, each key in its direction (sorted from the last
        key to the first: Python's sort is stable)."""
        for i in reversed(range(len(self.keys))):
            rows = sorted(rows, key=lambda row: row[i], reverse=self.keys[i].startswith("-"))
        return rows

    def _walk_is_short(self, where: Q) -> bool:
        """Whether the register holds at most ``WALK_LIMIT`` rows within ``where``, as the
        planner estimates it (its statistics: no row read). SQLite gives no estimate: there,
        its rows are counted up to the limit (a demonstration's register)."""
        within = self.register.filter(where).order_by()
        if connection.vendor != "postgresql":
            return within[: self.WALK_LIMIT + 1].count() <= self.WALK_LIMIT
        plan = json.loads(within.explain(format="json"))
        return plan[0]["Plan"]["Plan Rows"] <= self.WALK_LIMIT

    def page(self, queryset: QuerySet, number, per_page: int) -> Page:
        """The numbered page ``number`` of the search, its matches counted up to the cap."""
        paginator = CappedPaginator(self.searched, per_page)
        self.sample = self._sample(Q())
        paginator.count = len(self.sample)
        number = paginator.number_of(number)
        start = (number - 1) * per_page
        return Page(self(Q(), start, per_page), number, paginator)


def volunteer_eligibility(
    volunteer: Volunteer, on: datetime.date, rules: Rules = VIR_RULES
) -> Eligibility:
    periods = [e.period for e in volunteer.experiences.all()]
    return evaluate(volunteer.birth_date, periods, on, rules, year_only=volunteer.is_anonymised)


@dataclass
class TimelineBar:
    experience: Experience
    left: float  # percent of the timeline's width
    width: float
    overlaps: bool
    counted_days: int  # days of this period before the reference date


def experience_timeline(experiences: list[Experience], on: datetime.date) -> list[TimelineBar]:
    """Bars on a common time axis from the first start to the reference date (or later)."""
    if not experiences:
        return []
    first = min(e.start for e in experiences)
    last = max([on, *(e.end or on for e in experiences)])
    span = max((last - first).days + 1, 1)
    bars = []
    for e in sorted(experiences, key=lambda e: (e.start, e.pk or 0)):
        end = e.end or max(on - datetime.timedelta(days=1), e.start)
        overlaps = any(
            o is not e and o.start <= end and e.start <= (o.end or datetime.date.max)
            for o in experiences
        )
        counted_end = min(end, on - datetime.timedelta(days=1))
        bars.append(
            TimelineBar(
                experience=e,
                left=round(100 * (e.start - first).days / span, 2),
                width=max(round(100 * ((end - e.start).days + 1) / span, 2), 0.5),
                overlaps=overlaps,
                counted_days=max((counted_end - e.start).days + 1, 0),
            )
        )
    return bars


def volunteer_recent_history(volunteer: Volunteer, limit: int = 10):
    return volunteer.history.select_related("history_user").order_by("-history_date")[:limit]


def agency_recent_imports(*, agency, limit: int = 10) -> QuerySet[VolunteerImport]:
    return (
        VolunteerImport.objects.filter(agency=agency)
        .select_related("uploaded_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def open_proof(experience: Experience):
    """``(file, name, content type)`` of an experience's proof document, for a download view
    that has checked the access rule (and records the download); None without a file."""
    if not experience.proof:
        return None
    try:
        file = experience.proof.open("rb")
    except FileNotFoundError:
        return None
    content_type = sniff(file.read(16)) or "application/octet-stream"
    file.seek(0)
    name = experience.proof_name or experience.proof.name.rsplit("/", 1)[-1]
    return file, name, content_type
