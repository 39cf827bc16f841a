"""The database unreachable: /healthz answers 503 JSON whatever the cookies, pages answer a
styled 503 page that needs no database, and everything works again once it is back."""

import pytest
from django.db import connection
from django.test import Client

from tests.factories import MembershipFactory

# SQLite's test database lives in memory, in the connection: it cannot go away and come back.
pytestmark = pytest.mark.postgres


@pytest.fixture
def database_down(transactional_db, monkeypatch, closed_port):
    """Point the connection at a closed port until the test ends (or ``monkeypatch.undo()``);
    the next query after that reconnects for real."""

    def cut():
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port))

    yield cut
    monkeypatch.undo()  # before the test database is emptied
    connection.close()


def _logged_in_client():
    membership = MembershipFactory(role="officer")
    client = Client(raise_request_exception=False)
    client.force_login(membership.user)
    return client


def test_it_answers_healthz_with_503_json_even_with_a_session_cookie(database_down):
    client = _logged_in_client()
    database_down()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


def test_it_answers_a_page_with_a_styled_503_that_needs_no_database(database_down):
    client = _logged_in_client()
    database_down()
    response = client.get("/volunteers/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert 'data-testid="error-page"' in page and "bootstrap.min.css" in page
    assert "Service momentanément indisponible" in page


def test_it_serves_pages_again_once_the_database_is_back(database_down, monkeypatch):
    client = _logged_in_client()
    database_down()
    assert client.get("/volunteers/").status_code == 503
    monkeypatch.undo()  # the database is back, without a restart
    connection.close()
    assert client.get("/volunteers/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_an_unknown_address_answers_a_bare_404_while_the_database_is_down(database_down, settings):
    settings.DEBUG = False
    client = _logged_in_client()
    database_down()
    response = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404  # not a 500: the layout needs the session, the page not
    page = response.content.decode()
    assert 'data-testid="error-page"' in page and "Page not found" in page and 'href="/"' in page
