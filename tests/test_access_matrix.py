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


@pytest.fixture
def matrix_demo(_committed_demo, db, settings):
    """The demo, as ``demo`` gives it (loaded once per run, each case rolled back to it), its
    files read where they are rather than copied for each of hundreds of cases."""
    _committed_demo.use(settings, copy_files=False)


def _cases():
    return [
        pytest.param(row, persona, id=row.case_id(persona))
        for row in all_rows()
        for persona in PERSONAS
    ]


def test_every_case_has_its_own_test_id():
    ids = [case.id for case in _cases()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_action_says_what_it_changes():
    """A 302 cannot tell an action performed from one refused with a message: each POST row
    reads the state its action changes (``effect``), so that the matrix can tell."""
    lacking = [row.case_id("") for row in all_rows() if row.method == "post" and not row.effect]
    assert not lacking, f"POST rows without an effect: {lacking}"


@pytest.mark.parametrize(("row", "persona"), _cases())
def test_the_access_matrix(matrix_demo, row, persona):
    client = Client()
    if PERSONAS[persona]:
        client.force_login(get_user_model().objects.get(username=PERSONAS[persona]))
    url = row.path()
    data = row.data() if callable(row.data) else row.data
    before = row.effect() if row.effect else None

    extra = {"content_type": row.content_type} if row.content_type else {}
    response = getattr(client, row.method)(url, data, headers=row.headers, **extra)

    assert response.status_code == row.expect[persona]
    if row.effect:
        after = row.effect()
        if row.performs(persona):
            assert after != before, f"{persona} should have performed the action: {before!r}"
        else:
            assert after == before, f"{persona} should have changed nothing: {before!r} → {after!r}"


@pytest.mark.parametrize("method", ["delete", "put"])
def test_views_answer_405_to_methods_they_do_not_accept(matrix_demo, method):
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
