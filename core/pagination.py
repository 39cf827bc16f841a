"""A page of a list that is not counted: "Previous" and "Next" without "of N"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UncountedPage:
    """Duck-types the parts of Django's ``Page`` that ``includes/pagination.html`` uses.

    For long lists read newest first (the reports): counting every row the user may see costs
    more than the page itself, and nobody needs the total to find this week's report.
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


def uncounted_page(queryset, number, per_page: int) -> UncountedPage:
    """Page ``number`` (1 if not a positive number): one query, one row more than the page to
    tell whether another follows."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return UncountedPage(rows[:per_page], number, len(rows) > per_page)
