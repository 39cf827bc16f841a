"""Read-side queries of agreements and reciprocity figures."""

from __future__ import annotations


def partner_ids_of(agency_ids: set[int]) -> set[int]:
    """Agencies that are party to an agreement with one of ``agency_ids``.

    Agreements arrive with their own issue; until then an agency works with nobody.
    """
    return set()
