"""Every URL pattern of the project answers each persona as the matrix in tests/access/ says."""

import importlib
import pkgutil

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import access
from tests.access import PERSONAS, Row

# Patterns of the Django admin are Django's own (guarded by is_staff and model permissions);
# the matrix covers its entry point, admin:index.
EXEMPT_NAMESPACES = {"admin"}


def all_rows() -> list[Row]:
    rows = []
    for module in pkgutil.iter_modules(access.__path__):
        rows += importlib.import_module(f"tests.access.{module.name}").ROWS
    return rows


def url_pattern_names(resolver=None, namespace=None) -> set[str]:
    """Names of every URL pattern, namespaced (``agencies:detail``); an unnamed one fails."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            inner = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            names |= url_pattern_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            names.add(f"{namespace}:{name}" if namespace else name)
    return names


def missing_rows(rows, names) -> set[str]:
    return names - {row.name for row in rows}


def test_every_url_pattern_has_rows_in_the_matrix():
    rows = all_rows()
    missing = missing_rows(rows, url_pattern_names())
    assert not missing, f"URL patterns missing from tests/access/: {sorted(missing)}"


def test_the_matrix_notices_a_new_url_without_rows(settings):
    """The test of the test: add a URL pattern, and the check above reports it."""
    settings.ROOT_URLCONF = "tests.urls_with_extra_view"
    missing = missing_rows(
        all_rows(), url_pattern_names(get_resolver("tests.urls_with_extra_view"))
    )
    assert missing == {"extra-view-without-rows"}


def _status(client, row):
    url = row.path()
    data = row.data() if callable(row.data) else row.data
    response = getattr(client, row.method)(url, data)
    return response.status_code


def test_the_access_matrix(demo):
    users = {u.username: u for u in get_user_model().objects.all()}
    failures = []
    checked = 0
    for row in all_rows():
        for persona, username in PERSONAS.items():
            client = Client()
            if username:
                client.force_login(users[username])
            status = _status(client, row)
            checked += 1
            if status != row.expect[persona]:
                failures.append(
                    f"{row.method.upper()} {row.name} as {persona} ({username}): "
                    f"got {status}, expected {row.expect[persona]}"
                )
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)


@pytest.mark.parametrize("method", ["delete", "put"])
def test_views_answer_405_to_methods_they_do_not_accept(demo, method):
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    wrong = []
    for row in all_rows():
        if row.name.startswith("admin:"):
            continue
        status = getattr(client, method)(row.path()).status_code
        if status != 405:
            wrong.append(f"{method.upper()} {row.name}: {status}")
    assert not wrong, "\n".join(wrong)
