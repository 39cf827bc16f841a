"""Errors answer the site's own pages, translated, with a way back home: a bug (500) and the
requests refused (400, 403, 404, a CSRF failure)."""

import pytest
from django.test import Client
from django.urls import reverse

import dashboard.views
from tests.factories import MembershipFactory
from volunteers.models import Volunteer


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


# --- 400, 403, 404 and CSRF: the site's layout, the request's language, a way home -------------

HOME_LINK = 'href="/"'


def _page(response, status):
    assert response.status_code == status
    page = response.content.decode()
    assert f'data-testid="error-page" data-status="{status}"' in page
    assert HOME_LINK in page and 'class="navbar' in page  # the site's layout
    return page


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False  # with DEBUG on, Django shows its technical pages instead


@pytest.mark.parametrize("language, title, hint", [
    ("fr", "Page introuvable", "une agence dont vous n’êtes pas membre"),
    ("en", "Page not found", "an agency you are not a member of"),
])  # fmt: skip
def test_an_unknown_address_answers_the_sites_404_in_the_users_language(
    client, db, debug_off, language, title, hint
):
    client.force_login(MembershipFactory(role="officer").user)
    page = _page(client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE=language), 404)
    assert f'<html lang="{language}">' in page
    assert title in page and hint in page


def test_a_record_of_another_agency_answers_a_404_that_says_why_and_who_you_act_for(
    client, login, demo, debug_off
):
    volunteer = Volunteer.objects.filter(sending_agency__acronym="ANVT").first()
    login("vase-officer")  # works in Spanish (the preference of the demo's VASE staff)
    response = client.get(reverse("volunteers:detail", args=[volunteer.pk]))
    page = _page(response, 404)
    assert "Página no encontrada" in page and "agencia de la que usted no es miembro" in page
    assert "Usted actúa en nombre de VASE." in page
    assert volunteer.last_name not in page


def test_an_anonymous_visitor_gets_the_404_without_the_menu(client, db, debug_off):
    page = _page(client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert "Page not found" in page and "Log out" not in page


@pytest.mark.parametrize("language, title", [("fr", "Accès refusé"), ("en", "Access refused")])
def test_a_role_too_low_answers_the_sites_403_in_the_users_language(
    client, login, demo, debug_off, language, title
):
    volunteer = Volunteer.objects.filter(sending_agency__acronym="ANVT").first()
    login("anvt-officer")
    response = client.get(
        reverse("volunteers:personal_data", args=[volunteer.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    page = _page(response, 403)
    assert title in page and f'<html lang="{language}">' in page


@pytest.mark.parametrize("language, title", [("fr", "Requête invalide"), ("en", "Bad request")])
def test_a_bad_request_answers_the_sites_400(client, db, debug_off, language, title):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE=language)
    page = _page(response, 400)
    assert title in page


@pytest.mark.parametrize("language, title", [
    ("fr", "Le formulaire a expiré"), ("en", "The form has expired"),
])  # fmt: skip
def test_a_form_without_its_csrf_token_answers_the_sites_page(db, debug_off, language, title):
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory(role="officer").user)
    response = client.post(reverse("logout"), HTTP_ACCEPT_LANGUAGE=language)
    page = _page(response, 403)
    assert title in page
    assert client.get(reverse("home")).status_code == 200  # still logged in: nothing was done
