"""Schemathesis against the live OpenAPI schema (issue 21): as a token of the demo's largest
agency (ANVT) and as a token of an agency party to nothing, every operation answers without a
server error, conforms to the schema (status, content type, headers, body), and never shows
another agency's object."""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from agencies.models import Agency, Membership
from api.services import api_token_create
from tests.factories import AgencyFactory, manager_of

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI application directly, whose request signals close "old"
    database connections — on PostgreSQL, the test's own connection inside its transaction.
    Django's test client disconnects that handler while it serves a request; so do we here."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema():
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


pytestmark = pytest.mark.django_db
schema = schemathesis.pytest.from_fixture("api_schema")


def _token(agency) -> str:
    _, secret = api_token_create(
        agency=agency,
        user=manager_of(agency),
        name="Schemathesis",
        role=Membership.Role.MANAGER,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return secret


def _headers(secret: str) -> dict:
    # Schemathesis' WSGI transport asks for gzip but does not decompress (GZipMiddleware).
    return {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}


def _rows(response) -> list[dict]:
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", [""])[0]:
        return []
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return body["results"]
    return [body] if isinstance(body, dict) else body


# Each resource: the fields naming the agencies it concerns (one of them must be the token's).
AGENCY_FIELDS = {
    "/volunteers/": ("sending_agency",),
    "/agreements/": ("party_a", "party_b"),
    "/quotas/": ("sending", "receiving"),
    "/missions/": ("sending", "receiving"),
}


def only_mine(agency_id: int, *, unrelated: bool):
    def check(ctx, response, case):
        path = case.operation.path
        if unrelated and not path.startswith("/api/v1/agencies/") and response.status_code == 200:
            rows = _rows(response)
            assert not rows, f"{path}: an agency party to nothing sees {rows[:1]}"
        for prefix, fields in AGENCY_FIELDS.items():
            if path.startswith(f"/api/v1{prefix}") and "eligibility" not in path:
                for row in _rows(response):
                    concerned = {row.get(field) for field in fields}
                    assert agency_id in concerned, f"{path}: another agency's object {row}"
        return True

    return check


COMMON = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@COMMON
def test_the_api_as_a_large_agency(case, demo):
    anvt = Agency.objects.get(acronym="ANVT")
    secret = _token(anvt)
    case.call_and_validate(
        headers=_headers(secret),
        checks=CHECKS,
        additional_checks=[only_mine(anvt.pk, unrelated=False)],
    )


@schema.parametrize()
@COMMON
def test_the_api_as_an_unrelated_agency(case, demo):
    agency = AgencyFactory()
    secret = _token(agency)
    case.call_and_validate(
        headers=_headers(secret),
        checks=CHECKS,
        additional_checks=[only_mine(agency.pk, unrelated=True)],
    )


def test_the_api_statefully_follows_the_links_of_what_it_creates(demo):
    """Schemathesis' stateful run: it follows the schema's OpenAPI links from a volunteer, a
    placement or a report it created to the operations on it (read, change, decide, depart,
    return, download), with the same checks, as a token of ANVT."""
    from django.core.wsgi import get_wsgi_application

    anvt = Agency.objects.get(acronym="ANVT")
    secret = _token(anvt)
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    links = [
        name
        for operation in loaded.get_all_operations()
        for name in operation.ok()
        .definition.raw.get("responses", {})
        .get("201", {})
        .get("links", {})
    ]
    assert "placements_departure_create" in links and "reports_retrieve" in links
    checks = [*CHECKS, only_mine(anvt.pk, unrelated=False)]

    calls: list[tuple[str, int]] = []

    class Workflow(loaded.as_state_machine()):
        def after_call(self, response, case):
            calls.append((f"{case.method} {case.operation.path}", response.status_code))

        def get_call_kwargs(self, case):
            return {"headers": _headers(secret)}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=checks)

    Workflow.run(
        settings=settings(
            max_examples=6,
            stateful_step_count=4,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The run walked chains of calls (with random bodies most creations are refused, so the
    # chains rarely reach what was created: the checks above hold on every answer regardless).
    assert any("{id}" in call for call, _ in calls), calls
    assert all(code < 500 for _, code in calls), calls
