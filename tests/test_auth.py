from django.urls import reverse


def test_pages_need_a_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_and_password_reset_pages_are_public(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200


def test_login_shows_the_home_page_of_the_agency(client, demo):
    response = client.post(
        reverse("login"), {"username": "anvt-manager", "password": "reciprocity"}, follow=True
    )
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("home")
    assert "Agence Nationale du Volontariat au Togo" in response.content.decode()


def test_failed_logins_are_rate_limited(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "anvt-manager", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "anvt-manager", "password": "reciprocity"}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_password_reset_sends_an_email(client, demo, mailoutbox):
    response = client.post(
        reverse("password_reset"), {"email": "manager@anvt.reciprocity.localhost"}
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_password_change(client, login, demo):
    login("anvt-officer")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "reciprocity",
            "new_password1": "un-nouveau-mot-de-passe-2026",
            "new_password2": "un-nouveau-mot-de-passe-2026",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")


def test_logout_needs_post(client, login, demo):
    login("anvt-officer")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
