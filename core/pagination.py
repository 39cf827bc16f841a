"""Pages of lists.

- ``uncounted_page``: "Previous" and "Next" without "of N", for a log read newest first.
- ``page_of``: a count capped at ``CappedPaginator.cap`` rows, numbered pages within it, and past
  it keyset pages (``core.keyset``) that go on after the last row shown. Every row is reached,
  and no page costs more than a first one: no ``COUNT(*)`` over a million rows, no ``OFFSET``
  past the cap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

from . import keyset


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: ``COUNT(*)`` over a million volunteers is not free.

    Past the cap the page says "more than …", and its last numbered page links on to keyset
    pages. The cap bounds the cost of every page: a filter evaluated per row (eligibility, a
    common name) is evaluated on at most ``cap`` matching rows, and no offset goes past it.
    Measured in docs/performance.md.
    """

    cap = 1_000

    def __init__(self, object_list, per_page, *, count_rows: QuerySet | None = None, **kwargs):
        """``count_rows``: the same rows as ``object_list``, in a form cheaper to count (a
        union of parts each read through its own index; ``reports.selectors``)."""
        super().__init__(object_list, per_page, **kwargs)
        self.count_rows = count_rows

    @cached_property
    def count(self):
        # Neither the order nor the annotations of the page change how many rows there are.
        return self._capped().count()

    def _capped(self) -> QuerySet:
        if self.count_rows is not None:
            return self.count_rows[: self.cap]
        return self.object_list.values("pk").order_by()[: self.cap]

    @property
    def is_capped(self) -> bool:
        return self.count >= self.cap

    def number_of(self, number) -> int:
        """The page ``get_page`` would give for ``number`` (the first for a non-number, the
        last past the end), without reading it: for a list that reads its page its own way."""
        try:
            return self.validate_number(number)
        except PageNotAnInteger:
            return 1
        except EmptyPage:
            return self.num_pages

    def validate_number(self, number):
        """Page 1 exists in every list (an empty list has an empty first page): it is taken
        without counting first, so that the first page reads its count with its rows."""
        if self.allow_empty_first_page and not isinstance(number, float):
            try:
                if int(number) == 1:
                    return 1
            except (TypeError, ValueError):
                pass
        return super().validate_number(number)

    def page(self, number):
        """Past the first page, the page's ids first, then its rows by id: ``OFFSET`` skips
        rows only after the query built them, and a list's rows join four or five tables (a
        mission its quota, agencies, agreement, structure and theme) that the skipped ones do
        not need (the mission list's page 20: 27 → 15 ms of SQL)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom == 0 and "count" not in self.__dict__ and self._counts_with_rows():
            return self._first_page()
        if bottom == 0 or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().in_bulk(ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    def _counts_with_rows(self) -> bool:
        """Whether the first page's query can carry the count: a plain query of model rows
        (not grouped, combined or sliced)."""
        qs = self.object_list
        return (
            isinstance(qs, QuerySet)
            and qs._iterable_class is ModelIterable
            and qs.query.combinator is None
            and qs.query.group_by is None
            and not qs.query.is_sliced
        )

    def _first_page(self) -> Page:
        """The first page's rows with the capped count in the same query (a subquery run
        once): one round trip instead of two for the page every list opens on. No row: no
        row at all, the count is 0 (a list empty by its filters' making, such as a user of no
        active agency's, has no SQL to run: Django raises ``EmptyResultSet``)."""
        try:
            sql, params = self._capped().query.sql_with_params()
        except EmptyResultSet:
            self.count = 0
            return self._get_page([], 1, self)
        # The SQL is the ORM's, its values are parameters.
        count = RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params)  # noqa: S608, S611
        rows = list(self.object_list.annotate(capped_count=count)[: self.per_page])
        self.count = rows[0].capped_count if rows else 0
        return self._get_page(rows, 1, self)


@dataclass
class KeysetPage:
    """Rows past the counted ones: no number, no total; the page links to the next rows, to
    the rows before it (``previous_position``: "" when the list reads its pages its own way)
    and back to the first page."""

    object_list: list
    previous_position: str = ""
    is_keyset: bool = True


def page_of(
    queryset: QuerySet,
    *,
    model: type[Model],
    keys: list[str],
    number,
    position: str,
    per_page: int,
    counted: Callable[[QuerySet, object, int], Page] | None = None,
    read: Callable[[Q, int, int], list] | None = None,
    before: str = "",
) -> tuple[Page | KeysetPage, str]:
    """The page asked for, and the position its "next" link goes on from ("" when none).

    ``keys``: the queryset's order (``core.keyset``). ``position``: the request's ``after``,
    a keyset page when it is one of this order; otherwise the numbered page ``number``, read by
    ``counted`` (a search counts its matches its own way) or a ``CappedPaginator``. The last
    numbered page of a list longer than the cap goes on after its last row. ``read(where,
    start, count)``: the rows of a keyset page, when the list reads them its own way (a search:
    ``volunteers.selectors.SearchReader``; such a page has no "Previous"). ``before``: a
    position whose preceding rows make the page ("Previous"), read in the reverse order."""
    end = keyset.parse(before or "", model, keys) if read is None else None
    if end is not None:
        rows = list(queryset.filter(keyset.before(keys, end)).reverse()[: per_page + 1])[::-1]
        if rows:  # none: a position at the very start, the first page then
            earlier = len(rows) > per_page
            rows = rows[-per_page:]
            return _keyset_page(rows, keys, earlier=earlier), keyset.position_of(rows[-1], keys)
    start = keyset.parse(position or "", model, keys)
    if start is not None:
        where = keyset.after(keys, start)
        if read is not None:
            rows = read(where, 0, per_page + 1)
        else:
            rows = list(queryset.filter(where)[: per_page + 1])
        more = len(rows) > per_page
        page = _keyset_page(rows[:per_page], keys, earlier=read is None)
        return page, keyset.position_of(rows[per_page - 1], keys) if more else ""
    if counted is not None:
        page = counted(queryset, number, per_page)
    else:
        page = CappedPaginator(queryset, per_page).get_page(number)
    page.object_list = list(page.object_list)
    if page.paginator.is_capped and not page.has_next() and page.object_list:
        return page, keyset.position_of(page.object_list[-1], keys)
    return page, ""


def _keyset_page(rows: list, keys: list[str], *, earlier: bool) -> KeysetPage:
    """``rows``, linking back to those before them when ``earlier``."""
    previous = keyset.position_of(rows[0], keys) if earlier and rows else ""
    return KeysetPage(rows, previous_position=previous)


def page_of_request(request, queryset: QuerySet, **kwargs) -> tuple[Page | KeysetPage, str]:
    """``page_of`` for the page and positions a list's request asks for (``page``, ``after``,
    ``before``)."""
    return page_of(
        queryset,
        number=request.GET.get("page"),
        position=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        **kwargs,
    )


# What a list's links keep of its request: not where its page is.
PAGE_PARAMETERS = ("page", "after", "before")


@dataclass
class UncountedPage:
    """Duck-types the parts of Django's ``Page`` that ``includes/pagination.html`` uses.

    For a log read newest first (the download log): counting every row costs more than the
    page itself, and nobody needs the total to find this week's downloads.
    """

    object_list: list
    number: int
    has_next_page: bool

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


# The deepest page ``uncounted_page`` reads: past it, an offset would overflow the database's
# integers (a page number typed in the address); no log is that long.
UNCOUNTED_MAX_PAGE = 1_000_000


def uncounted_page(queryset, number, per_page: int) -> UncountedPage:
    """Page ``number`` (1 if not a positive number, at most ``UNCOUNTED_MAX_PAGE``): one query,
    one row more than the page to tell whether another follows."""
    try:
        number = min(max(1, int(number)), UNCOUNTED_MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return UncountedPage(rows[:per_page], number, len(rows) > per_page)
