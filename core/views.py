import sys

from django import db
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
