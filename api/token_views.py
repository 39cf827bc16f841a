"""The page where an agency's managers create and revoke its API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, add_form_error

from .forms import TokenForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke, api_tokens_of


def _managed_agency(request):
    agency = request.membership.agency if request.membership else None
    if agency is None or not request.user.has_perm("vir.manage_api_tokens", agency):
        raise PermissionDenied
    return agency


# The new token's secret waits in the session for the page shown after the redirect, which
# takes it out: shown once, and a reload neither shows it again nor creates another token.
SECRET_KEY = "api_token_secret"  # noqa: S105  (a session key, not a secret)


@require_http_methods(["GET", "POST"])
def token_list(request):
    """The acting agency's tokens and the form creating one."""
    agency = _managed_agency(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(agency=agency, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            request.session[SECRET_KEY] = secret
            messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
            return redirect("api:tokens")
    context = {
        "agency": agency,
        "form": form,
        "secret": request.session.pop(SECRET_KEY, None) if request.method == "GET" else None,
        "tokens": api_tokens_of(agency=agency),
    }
    return render(request, "api/tokens.html", context)


@require_POST
def token_revoke(request, pk):
    agency = _managed_agency(request)
    token = get_object_or_404(ApiToken, pk=pk, agency=agency)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:tokens")
