"""Errors as RFC 9457 problem details, translated in the request's language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

PROBLEM_TYPE = "about:blank"


TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Authentication required"),
    403: lambda: _("Forbidden"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    406: lambda: _("Not acceptable"),
    409: lambda: _("Conflict"),
    412: lambda: _("Precondition failed"),
    415: lambda: _("Unsupported media type"),
    422: lambda: _("Unprocessable content"),
    429: lambda: _("Too many requests"),
}


def problem(status_code: int, detail: str, *, errors=None, headers=None) -> Response:
    body = {
        "type": PROBLEM_TYPE,
        "title": str(TITLES.get(status_code, lambda: _("Error"))()),
        "status": status_code,
        "detail": str(detail),
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = "application/problem+json"
    return response


def _flat(errors, prefix: str = "") -> dict[str, list[str]]:
    """``{"field": ["message"]}`` whatever the nesting: a list's items named ``field[0].sub``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # DRF names the items of a list by their index
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flat(value, name))
    elif isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        for index, item in enumerate(errors):
            flat.update(_flat(item, f"{prefix}[{index}]"))
    elif isinstance(errors, list):
        flat[prefix or "non_field_errors"] = [str(item) for item in errors]
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def exception_handler(exc, context):
    """Every error as an RFC 9457 problem, translated in the request's language."""
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]} if exc.field else None
        return problem(status.HTTP_409_CONFLICT, exc.message, errors=errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        detail = _("The request is not valid: see the errors.")
        errors = _flat(data if isinstance(data, dict) else {"non_field_errors": data})
    elif isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
    else:
        detail = str(exc)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate")}
    return problem(response.status_code, detail, errors=errors, headers=headers)
