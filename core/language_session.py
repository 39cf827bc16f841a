"""The language a logged-in user chose, carried by the session: copied there at login, read by
``core.middleware.UserLanguageMiddleware`` on every page without a query (sessions are read
from the cache). No model import here: ``core.apps`` connects the receiver before the models
load.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

SESSION_KEY = "reciprocity_language"


def known(code: str | None) -> bool:
    return code in {c for c, _name in settings.LANGUAGES}


def remember_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the pages after login are in the user's language."""
    session = getattr(request, "session", None)
    if session is None:
        return
    # Read afresh: an earlier look at this user object may have cached "no preference".
    user._state.fields_cache.pop("preference", None)
    try:
        code = user.preference.language
    except ObjectDoesNotExist:
        code = None
    if known(code):
        session[SESSION_KEY] = code
    else:
        session.pop(SESSION_KEY, None)


def remember(request, code: str) -> None:
    """The language just chosen, for the rest of the session."""
    if known(code) and hasattr(request, "session"):
        request.session[SESSION_KEY] = code
