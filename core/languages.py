"""A user's language: the preference of their account (``UserPreference``), which their pages,
e-mails and PDFs follow, else the browser's choice (pages) or the platform's default (e-mails).

At login the preference is copied into the session, where ``UserLanguageMiddleware`` reads it
on every page without a query (sessions are read from the cache); choosing a language in the
switcher while logged in saves it as the preference.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from .language_session import SESSION_KEY, known
from .models import UserPreference

__all__ = ["SESSION_KEY", "known", "language_set", "languages_of", "preferred_language"]


def preferred_language(user) -> str:
    """``user``'s language for what is sent to them: their preference, else the default."""
    if user is None or not getattr(user, "pk", None):
        return settings.LANGUAGE_CODE
    cached = getattr(user, "_reciprocity_language", None)
    if cached is None:
        code = (
            UserPreference.objects.filter(user_id=user.pk)
            .values_list("language", flat=True)
            .first()
        )
        cached = code if known(code) else settings.LANGUAGE_CODE
        user._reciprocity_language = cached
    return cached


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The language of each of ``user_ids`` in one query (the default where none is chosen)."""
    ids = set(user_ids)
    chosen = dict(UserPreference.objects.filter(user_id__in=ids).values_list("user_id", "language"))
    return {pk: chosen[pk] if known(chosen.get(pk)) else settings.LANGUAGE_CODE for pk in ids}


def language_set(*, user, language: str) -> UserPreference:
    """Record ``language`` as ``user``'s preference."""
    if not known(language):
        raise ValueError(f"Unknown language {language!r}.")
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    user._reciprocity_language = language
    return preference
