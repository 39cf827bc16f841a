"""The access-control matrix: every URL pattern of the project, with the status each persona gets.

Each module of this package contributes ``ROWS`` for one area. ``tests/test_access_matrix.py``
walks the URL patterns and fails for any pattern without a row, so a new view cannot land without
saying who may use it.

Each row is a test case per persona. An action (a POST row) also says what it changes: its
``effect`` reads that state from the database before and after the request, and the state must
change for exactly the personas who perform the action (by default, the logged-in personas that
are answered a redirect; ``performed_by`` names them when that is not so, for instance when the
service refuses the action for everyone). A 302 alone cannot tell an action performed from one
refused with a message.

Personas are demo users (``load_demo``). The "owner" is ANVT: rows point at ANVT's objects, or
at objects of the ANVT–CNPV exchange; the partner agency is CNPV; the outsider is VASE, which is
party to nothing that the rows point at.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
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
    # What an action changes: read before and after the request (compared with ``==``).
    effect: Callable[[], object] | None = None
    # The personas for whom the action is performed (None: logged-in personas answered 302).
    performed_by: Collection[str] | None = None
    # Tells apart two rows of one pattern and method in the test ids.
    variant: str = ""
    # Request headers, and a content type to send ``data`` as (JSON for the API).
    headers: dict = field(default_factory=dict)
    content_type: str | None = None

    def __post_init__(self):
        missing = set(PERSONAS) - set(self.expect)
        unknown = set(self.expect) - set(PERSONAS) | set(self.performed_by or ()) - set(PERSONAS)
        assert not missing and not unknown, f"{self.name}: missing {missing}, unknown {unknown}"

    def performs(self, persona: str) -> bool:
        """Whether the action is performed for ``persona``: its effect must show then only."""
        if self.performed_by is not None:
            return persona in self.performed_by
        return persona != "anonymous" and self.expect[persona] == 302

    def case_id(self, persona: str) -> str:
        """The test id: ``volunteers:detail-GET-outsider``, ``missions:detail@togo-GET-admin``."""
        name = f"{self.name}@{self.variant}" if self.variant else self.name
        return f"{name}-{self.method.upper()}-{persona}"


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """``status`` for every logged-in persona, 302 for anonymous, then the overrides."""
    expect = {persona: status for persona in PERSONAS}
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


NOBODY: tuple[str, ...] = ()  # ``performed_by`` of an action that every persona is refused
