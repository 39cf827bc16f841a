"""A bug answers the site's own 500 page, translated, with a way back home."""

from django.test import Client

import dashboard.views
from tests.factories import MembershipFactory


def test_it_answers_a_bug_with_the_sites_500_page(db, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(dashboard.views, "dashboard", broken)
    client = Client(raise_request_exception=False)
    client.force_login(MembershipFactory(role="officer").user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Erreur du serveur" in page and 'href="/"' in page
    assert "a bug" not in page  # nothing of the error itself
