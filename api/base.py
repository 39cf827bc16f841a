"""The base of every API view: authentication by token or session, the rate limit, problem
details; the helpers that every resource shares."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView

from agencies.services import Kind, download_record


class ApiView(GenericAPIView):
    """Django's login requirement is replaced by the API's own authentication (a token or a
    session): an anonymous request gets a 401 problem rather than a redirect to the login page."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


def visible_or_404(queryset, pk):
    """The object of ``queryset`` (a visibility selector) or 404: another agency's object is
    never told apart from one that does not exist."""
    return get_object_or_404(queryset, pk=pk)


def choice_param(request, name: str, choices) -> str | None:
    """The query parameter ``name`` if it is one of ``choices`` (a model's ``TextChoices``), None
    when absent; anything else is a 400 naming the allowed values."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise exceptions.ValidationError(
            {name: [_("Choose one of: %(allowed)s.") % {"allowed": allowed}]}
        )
    return value


def require(request, permission: str, obj=None) -> None:
    """403 unless the access rule ``permission`` (agencies/rules.py) allows it."""
    if not request.user.has_perm(permission, obj):
        raise exceptions.PermissionDenied()


def audit(request, *, kind: str = Kind.PERSONAL_DATA, object_id: int = 0, concerns=()) -> None:
    """Record a read of personal data or a download made through the API in the agencies' log
    (``object_id`` 0: a page of a list)."""
    download_record(
        request=request,
        kind=kind,
        object_id=object_id,
        label=f"API {request.method} {request.get_full_path()}",
        concerns=concerns,
    )
