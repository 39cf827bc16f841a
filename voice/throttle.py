"""A bound on the guesses at the public endpoints (questionnaire links, verification codes).

Each miss (unknown, expired or malformed token or code) counts against the client's address for
``PUBLIC_MISSES_WINDOW`` seconds; past ``PUBLIC_MISSES_LIMIT`` misses, every request of that
address to these endpoints is answered 429 until the window ends, found or not, so guessing
cannot go on. Counters live in the cache (numbers only, expiring by themselves)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from core.login_throttle import client_ip


def _key(request, scope: str) -> str:
    return f"voice-misses:{scope}:{client_ip(request) or '-'}"


def is_blocked(request, scope: str) -> bool:
    return (cache.get(_key(request, scope)) or 0) >= settings.PUBLIC_MISSES_LIMIT


def record_miss(request, scope: str) -> None:
    key = _key(request, scope)
    if cache.add(key, 1, timeout=settings.PUBLIC_MISSES_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=settings.PUBLIC_MISSES_WINDOW)
