import sys

from django import db
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import language_session, languages
from .health import check_broker, check_database


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


# Database errors that mean "the database cannot be reached", not a bug in a query.
UNAVAILABLE = (db.OperationalError, db.InterfaceError)


def server_error(request):
    """handler500: a page in the site's colours that needs neither the database nor the user
    (rendered without context processors); 503 with Retry-After when the database is down,
    since that passes by itself."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE):
        title = _("Service temporarily unavailable")
        message = _(
            "The platform cannot reach its database. Nothing you saved before is lost: try "
            "again in a few minutes."
        )
        status = 503
    else:
        title = _("Server error")
        message = _(
            "Something went wrong on our side and the team has been told. Try again, or go "
            "back to the home page."
        )
        status = 500
    content = render_to_string("error.html", {"title": title, "message": message})
    response = HttpResponse(content, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response


# --- 400, 403, 404 and the CSRF failure: the site's own layout ---------------------------------
# By design a record outside one's agencies answers 404 (its existence is not revealed), so the
# staff meet that page in their daily work: it says what may have happened and where to go.


def _client_error(request, status, title, message, hints=()):
    """The page in the site's layout (navigation and language of the request). If the database
    is down, the layout (the user's session and agencies) cannot be read: the bare error page."""
    context = {"status": status, "title": title, "message": message, "hints": hints}
    try:
        return render(request, "errors/client_error.html", context, status=status)
    except UNAVAILABLE:
        return HttpResponse(render_to_string("error.html", context), status=status)


def bad_request(request, exception=None):
    return _client_error(
        request,
        400,
        _("Bad request"),
        _("The platform could not understand this request. Go back and try again."),
    )


def permission_denied(request, exception=None):
    return _client_error(
        request,
        403,
        _("Access refused"),
        _(
            "Your role in your agency does not allow this page or this action. If you need "
            "it, ask a manager of your agency."
        ),
        [_("If you belong to several agencies, check which one you are acting for.")],
    )


def page_not_found(request, exception=None):
    return _client_error(
        request,
        404,
        _("Page not found"),
        _("There is nothing here that you can see. This may be because:"),
        [
            _("the address is mistyped, or the link is out of date;"),
            _("the record was deleted;"),
            _(
                "the record belongs to an agency you are not a member of: what concerns "
                "another agency answers as if it did not exist;"
            ),
            _(
                "you belong to several agencies and the record concerns another one than "
                "the agency you are acting for: choose it in the agency menu."
            ),
        ],
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: mostly a form left open so long that the session expired, or sent
    again after logging out and in."""
    return _client_error(
        request,
        403,
        _("The form has expired"),
        _(
            "For your security, this form could not be accepted: the page was probably open "
            "for too long, or you logged in again meanwhile. Go back, reload the page and "
            "send the form again."
        ),
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the e-mail signed by the platform's name (``SITE_NAME``) instead of the
    request's host and port."""

    @property
    def extra_email_context(self):
        return {"site_name": settings.SITE_NAME}


@login_not_required
@require_POST
def set_language(request):
    """Django's language switch (a cookie), remembered on the account of a logged-in user: their
    next pages, e-mails and PDFs follow it (``core.languages``)."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and languages.known(code):
        languages.language_set(user=request.user, language=code)
        language_session.remember(request, code)
    return response
