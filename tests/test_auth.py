from django.urls import reverse
from django.utils import timezone


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


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_signed_in_user_is_read_with_their_memberships(db):
    """``MembershipBackend`` reads the user and ``memberships_of``'s memberships in one query:
    the same memberships (active agencies only, by acronym), the same values and types."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies import rules as access
    from agencies.auth import MembershipBackend
    from tests.factories import AgencyFactory, MembershipFactory, UserFactory

    user = UserFactory(last_login=timezone.now())
    for acronym, active in [("ZED", True), ("ABC", True), ("OFF", False)]:
        MembershipFactory(user=user, agency=AgencyFactory(acronym=acronym, is_active=active))
    with CaptureQueriesContext(connection) as queries:
        signed_in = MembershipBackend().get_user(str(user.pk))
        memberships = access.memberships_of(signed_in)
    assert len(queries) == 1
    expected = access.memberships_of(type(user).objects.get(pk=user.pk))
    assert [m.agency.acronym for m in memberships] == ["ABC", "ZED"]
    assert [_fields(m) for m in memberships] == [_fields(m) for m in expected]
    assert [_fields(m.agency) for m in memberships] == [_fields(m.agency) for m in expected]
    assert _fields(signed_in) == _fields(expected[0].user)
    assert signed_in.is_superuser is False and signed_in.is_active is True
    assert timezone.is_aware(signed_in.last_login)
    assert all(m.user is signed_in for m in memberships)


def test_users_without_memberships_and_refused_users(db):
    from agencies import rules as access
    from agencies.auth import MembershipBackend
    from tests.factories import MembershipFactory, UserFactory

    backend = MembershipBackend()
    admin = UserFactory(is_superuser=True)
    signed_in = backend.get_user(str(admin.pk))
    assert signed_in == admin and access.memberships_of(signed_in) == []
    inactive = UserFactory(is_active=False)
    MembershipFactory(user=inactive)
    assert backend.get_user(str(inactive.pk)) is None
    assert backend.get_user(str(UserFactory(is_active=False).pk)) is None
    assert backend.get_user("999999") is None
    assert backend.get_user("not a number") is None
