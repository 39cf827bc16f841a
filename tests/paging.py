"""Walking a list page by page, as a reader clicks "next", past its counted pages."""

from __future__ import annotations


def rows_past_the_count(client, url, *, counted_pages: int, more: str, beyond: str) -> list:
    """Every row of the list at ``url``: its ``counted_pages`` numbered pages (the last one
    saying ``more``, "More than …", and linking on), then the keyset pages after them (each
    saying ``beyond``) until none follows. From the last, "Previous" pages lead back through
    the same rows to the first."""
    rows = []
    for number in range(1, counted_pages + 1):
        page = client.get(url, {"page": number})
        rows += page.context["page"].object_list
    assert more in page.content.decode()
    position = page.context["next_position"]
    assert position and "past-the-count" in page.content.decode()
    while position:
        page = client.get(url, {"after": position})
        assert page.context["page"].is_keyset
        assert beyond in page.content.decode()
        rows += page.context["page"].object_list
        position = page.context["next_position"]
    back, position = list(page.context["page"].object_list), page.context["page"].previous_position
    while position:
        page = client.get(url, {"before": position})
        back[:0] = page.context["page"].object_list
        position = page.context["page"].previous_position
    assert back == rows
    return rows
