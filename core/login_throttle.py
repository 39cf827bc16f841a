"""Login throttling behind a proxy: the client's address, and a limit per account.

django-axes locks a (username, client address) pair after ``AXES_FAILURE_LIMIT`` failures. Two
things make that work in production:

- **The client's address.** Behind the TLS proxy every request comes from the proxy's address:
  keyed on it, five bad passwords from anyone would lock the real user out. Each trusted proxy
  appends the address it received the request from to ``X-Forwarded-For``; with
  ``TRUSTED_PROXY_COUNT`` proxies in front of the application, the client is the
  ``TRUSTED_PROXY_COUNT``-th address from the right. The addresses further left were written by
  the client itself and are never believed. With no proxy (the default, 0) the header is ignored.
- **A limit per account** (``LoginThrottleHandler``). Guesses spread over many addresses never
  reach a pair's limit, so failures are also counted per account, from every address, over a
  sliding window: past ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures in ``LOGIN_ACCOUNT_WINDOW``
  the account refuses logins from addresses it does not know. Refused attempts are not counted
  (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`` off), so the pause ends at most one window
  after the failures, however long the attacker keeps trying; and an address from which the
  account logged in successfully within ``LOGIN_KNOWN_ADDRESS_DAYS`` is not paused at all, so
  the real user at their usual place is never held back by someone else's guesses (their own
  address keeps the pair's limit).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``), read through the trusted proxies."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < count:
        # Not through every proxy (a direct connection, a misconfigured proxy): the peer is all
        # that can be trusted.
        return remote
    return _address(forwarded[-count]) or remote


def account_window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_ACCOUNT_WINDOW_MINUTES)


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, plus the limit per account (see the module's docstring)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self.account_paused(request, credentials)

    def account_paused(self, request, credentials: dict | None = None) -> bool:
        username = get_client_username(request, credentials)
        if not username:
            return False
        now = timezone.now()
        failures = AccessFailureLog.objects.filter(
            username=username, attempt_time__gte=now - account_window()
        ).count()
        if failures < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            return False
        known = AccessLog.objects.filter(
            username=username,
            ip_address=getattr(request, "axes_ip_address", None),
            attempt_time__gte=now - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS),
        ).exists()
        if known:
            return False
        request.login_account_paused = True  # read by registration/locked_out.html
        request.login_account_pause_minutes = settings.LOGIN_ACCOUNT_WINDOW_MINUTES
        return True
