"""The access-control matrix: every URL pattern of the project, with the status each persona gets.

Each module of this package contributes ``ROWS`` for one area. ``tests/test_access_matrix.py``
walks the URL patterns and fails for any pattern without a row, so a new view cannot land without
saying who may use it.

Personas are demo users (``load_demo``). The "owner" is ANVT: rows point at ANVT's objects, or
at objects of the ANVT–CNPV exchange; the partner agency is CNPV; the outsider is VASE, which is
party to nothing that the rows point at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = {
    "anonymous": None,
    "manager": "anvt-manager",
    "officer": "anvt-officer",
    "evaluator": "anvt-evaluator",
    "partner": "anvt-partner",
    "partner_agency": "cnpv-manager",
    "outsider": "vase-officer",
    "admin": "admin",
}

LOGIN = 302  # anonymous users are sent to the login page


@dataclass
class Row:
    """``name`` is the URL pattern's name; ``path`` builds the URL from the demo data."""

    name: str
    path: Callable[[], str]
    expect: dict[str, int]
    method: str = "get"
    data: dict | Callable[[], dict] = field(default_factory=dict)  # a callable: built when used

    def __post_init__(self):
        missing = set(PERSONAS) - set(self.expect)
        unknown = set(self.expect) - set(PERSONAS)
        assert not missing and not unknown, f"{self.name}: missing {missing}, unknown {unknown}"


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """``status`` for every logged-in persona, 302 for anonymous, then the overrides."""
    expect = {persona: status for persona in PERSONAS}
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect
