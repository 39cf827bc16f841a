"""The API's HTTP machinery that DRF's settings name: token authentication, the per-token rate
limit, keyset pagination. (Kept apart from the modules that import DRF's views, which read these
settings when they load.)"""

from __future__ import annotations

from django.conf import settings
from django.utils.http import http_date
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.throttling import SimpleRateThrottle

from .services import api_token_authenticate


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer rcp_…``: the token's account, a member of its agency."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenRateThrottle(SimpleRateThrottle):
    """A rate limit per token (per account for sessions), counted in the cache (Redis when
    ``CACHE_URL`` names it: shared by every worker). DRF answers 429 with ``Retry-After``."""

    scope = "api"

    def get_rate(self):
        # Read when asked (DRF reads its settings once, at import).
        return settings.API_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"u{request.user.pk}"}


class KeysetPagination(CursorPagination):
    """Keyset pagination on the primary key: ``WHERE id > :last ORDER BY id LIMIT n + 1``,
    the same cost at any depth, never a count."""

    page_size = 50
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "id"

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        stamps = [
            row.get("updated_at") if isinstance(row, dict) else getattr(row, "updated_at", None)
            for row in self.page
        ]
        stamps = [s for s in stamps if s is not None]
        if stamps:
            # The latest change among the rows of this page.
            response["Last-Modified"] = http_date(max(stamps).timestamp())
        return response
