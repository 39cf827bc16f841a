"""Personal links of the questionnaire: a random token given once (in the e-mail), stored as
its SHA-256 with an expiry. An unknown, expired or malformed token finds nothing, and the view
answers all of them alike (no enumeration); ``throttle`` bounds the guesses."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.utils import timezone

from .models import Questionnaire, QuestionnaireLink

LINK_VALIDITY = datetime.timedelta(days=60)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(*, questionnaire: Questionnaire, now: datetime.datetime | None = None) -> str:
    """A new link for ``questionnaire``: returns the token, which is stored nowhere."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    QuestionnaireLink.objects.create(
        questionnaire=questionnaire, token_hash=token_hash(token), expires_at=now + LINK_VALIDITY
    )
    return token


def questionnaire_by_token(token: str, *, now: datetime.datetime | None = None):
    """The questionnaire an unexpired link opens, or None (unknown, expired, malformed)."""
    if not token or len(token) > 100:
        return None
    now = now or timezone.now()
    link = (
        QuestionnaireLink.objects.filter(token_hash=token_hash(token), expires_at__gt=now)
        .select_related(
            "questionnaire__placement__volunteer",
            "questionnaire__placement__mission__host_structure",
            "questionnaire__placement__quota__sending",
            "questionnaire__placement__quota__receiving",
        )
        .first()
    )
    return link.questionnaire if link else None
