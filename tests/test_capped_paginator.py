"""``CappedPaginator``'s first page reads its capped count in the same query as its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedPaginator
from tests.factories import MembershipFactory, VolunteerFactory
from volunteers.models import Volunteer


def _first_page(queryset, per_page, cap, monkeypatch, number=None):
    monkeypatch.setattr(CappedPaginator, "cap", cap)
    paginator = CappedPaginator(queryset, per_page)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(number)
        count, rows = paginator.count, list(page.object_list)
    return page, count, rows, len(queries)


@pytest.mark.parametrize(
    ("registered", "per_page", "cap", "count"),
    [(0, 3, 5, 0), (2, 3, 5, 2), (3, 3, 5, 3), (5, 3, 5, 5), (7, 3, 5, 5), (7, 10, 5, 5)],
)
def test_the_first_page_counts_with_its_rows_in_one_query(
    db, monkeypatch, registered, per_page, cap, count
):
    agency = MembershipFactory().agency
    VolunteerFactory.create_batch(registered, sending_agency=agency)
    VolunteerFactory.create_batch(2)  # another agency's: not counted
    queryset = Volunteer.objects.filter(sending_agency=agency).order_by("last_name", "pk")
    for number in (None, "1", 1, "x"):
        page, counted, rows, queries = _first_page(queryset, per_page, cap, monkeypatch, number)
        assert queries == 1
        # What a separate capped count and the first rows say.
        assert counted == min(queryset.count(), cap) == count
        assert [v.pk for v in rows] == [v.pk for v in queryset[:per_page]]
        assert page.number == 1
        assert page.has_next() == (count > per_page)
        assert page.paginator.is_capped == (count >= cap)


def test_a_later_page_still_counts_first_and_a_page_past_the_end_gives_the_last(db, monkeypatch):
    agency = MembershipFactory().agency
    VolunteerFactory.create_batch(5, sending_agency=agency)
    queryset = Volunteer.objects.filter(sending_agency=agency).order_by("pk")
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    second = CappedPaginator(queryset, 2).get_page("2")
    assert [v.pk for v in second.object_list] == [v.pk for v in queryset[2:4]]
    last = CappedPaginator(queryset, 2).get_page("99")
    assert last.number == 3
    assert [v.pk for v in last.object_list] == [v.pk for v in queryset[4:]]


def test_grouped_or_value_queries_count_on_their_own(db, monkeypatch):
    agency = MembershipFactory().agency
    VolunteerFactory.create_batch(3, sending_agency=agency)
    values = Volunteer.objects.filter(sending_agency=agency).order_by("pk").values("pk")
    _page, count, rows, queries = _first_page(values, 2, 10, monkeypatch)
    assert queries == 2  # the count, then the rows: dictionaries carry no count column
    assert count == 3
    assert rows == list(values[:2])
