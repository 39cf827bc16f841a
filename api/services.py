"""API tokens: creation (the secret shown once), revocation, authentication."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import rules as access
from agencies.models import Agency, Membership
from core.errors import DomainError

from .models import ApiToken

TOKEN_PREFIX = "rcp_"  # noqa: S105  (a marker, not a secret)
# The last use is written at most once a minute per token: no write on every request.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)
MAX_LIFETIME_DAYS = 730


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, agency: Agency, user, name: str, role: str, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """A new token of ``agency`` acting with ``role``; returns it and its secret, which is
    stored only hashed and cannot be shown again."""
    if not user.has_perm("vir.manage_api_tokens", agency):
        raise DomainError(_("Only a manager of the agency may create its API tokens."))
    if role not in Membership.Role.values:
        raise DomainError(_("Choose a role."), field="role")
    today = timezone.localdate()
    if not today < expires_on <= today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
        raise DomainError(
            _("The expiry date must be after today and within %(days)s days.")
            % {"days": MAX_LIFETIME_DAYS},
            field="expires_on",
        )
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), field="name")
    random_part = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}{random_part}"
    # The token's own account: a member of the agency with the token's role, which cannot log
    # in (no usable password) and receives no e-mail (no address).
    account = get_user_model()(
        username=f"api-{uuid.uuid4().hex[:20]}",
        first_name=name[:150],
        last_name=f"(API {agency.acronym})"[:150],
    )
    account.set_unusable_password()
    account.save()
    Membership.objects.create(user=account, agency=agency, role=role)
    expires_at = datetime.datetime.combine(
        expires_on, datetime.time.max, tzinfo=timezone.get_current_timezone()
    )
    token = ApiToken.objects.create(
        agency=agency,
        name=name,
        role=role,
        user=account,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=digest_of(secret),
        created_by=user,
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke ``token`` for good: its account is deactivated with it."""
    if not user.has_perm("vir.manage_api_tokens", token.agency):
        raise DomainError(_("Only a manager of the agency may revoke its API tokens."))
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if updated:
        get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
    token.refresh_from_db()
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token whose secret is ``secret`` (None otherwise), its last use recorded."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "agency").filter(digest=digest_of(secret)).first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if not token.agency.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(*, agency: Agency):
    return ApiToken.objects.filter(agency=agency).select_related("created_by", "revoked_by")


def tokens_manageable_by(user):
    """The agencies whose tokens ``user`` manages."""
    if access.is_admin(user):
        return Agency.objects.filter(is_active=True)
    return Agency.objects.filter(pk__in=access.agency_ids_with(user, access.APPROVE))
