"""Login lockout behind a proxy (core/login_throttle.py): the client's address is read through
``TRUSTED_PROXY_COUNT`` proxies, a (username, address) pair is locked after
``AXES_FAILURE_LIMIT`` failures, and an account failing from many addresses is paused briefly,
except for the addresses it logged in from before."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client, RequestFactory
from django.urls import reverse

from core.login_throttle import client_ip

PROXY = "10.0.0.2"  # the TLS proxy: every request reaches the application from it


def _login(address, password, username="anvt-manager", client=None):
    """A login POST that went through one proxy, from ``address``."""
    client = client or Client()
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", PROXY),  # no proxy configured: the header is a client's claim
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.1.1.1, 203.0.113.5", "203.0.113.5"),  # the left part was written by the client
        (2, "1.1.1.1, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", PROXY),  # fewer hops than proxies: only the peer is certain
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_an_attacker_does_not_lock_out_the_real_user(
    demo, settings, behind_one_proxy
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("203.0.113.5", "wrong")
    locked = _login("203.0.113.5", "reciprocity")
    assert locked.status_code == 429  # the attacker's pair is locked, even with the password
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    response = _login("198.51.100.7", "reciprocity")
    assert response.status_code == 302 and response.url == reverse("home")


def test_without_a_proxy_setting_a_forged_header_does_not_escape_the_lockout(demo, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(f"203.0.113.{n}", "wrong")  # REMOTE_ADDR is the client here: one pair
    assert _login("198.51.100.7", "reciprocity").status_code == 429


def _spread_failures(count):
    for n in range(count):
        assert _login(f"203.0.113.{n}", "wrong").status_code == 200  # the form again


def test_failures_spread_over_many_addresses_pause_the_account_briefly(
    demo, settings, behind_one_proxy
):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    _spread_failures(12)  # 12 addresses, never 5 failures from one
    # The next guess, from yet another address, is refused without checking the password.
    response = _login("192.0.2.50", "reciprocity")
    assert response.status_code == 429
    assert 'data-testid="account-paused"' in response.content.decode()
    assert _login("192.0.2.51", "wrong").status_code == 429
    assert AccessFailureLog.objects.count() == 12  # refused attempts do not prolong the pause
    # Another account is not paused.
    assert _login("192.0.2.50", "reciprocity", username="anvt-officer").status_code == 302
    # Once the failures are older than the window, the real user logs in from anywhere.
    window = timedelta(minutes=settings.LOGIN_ACCOUNT_WINDOW_MINUTES, seconds=1)
    for failure in AccessFailureLog.objects.all():
        failure.attempt_time -= window
        failure.save()
    response = _login("192.0.2.50", "reciprocity")
    assert response.status_code == 302 and response.url == reverse("home")


def test_an_address_the_account_logged_in_from_is_not_paused(demo, settings, behind_one_proxy):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    assert _login("198.51.100.7", "reciprocity").status_code == 302  # the user's office
    _spread_failures(12)
    assert _login("192.0.2.50", "reciprocity").status_code == 429  # a new address: paused
    response = _login("198.51.100.7", "reciprocity")  # the office: as usual
    assert response.status_code == 302 and response.url == reverse("home")
