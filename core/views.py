from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import rules as access
from . import versions
from .dashboard import dashboard
from .health import check_broker, check_database


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


@require_GET
def home(request):
    """The dashboard. Its content is cached per user under every data version of the acting
    agency: the first visit after a change that concerns it renders it again
    (core.versions, docs/performance.md)."""
    acting = request.membership or None
    content = versions.cached_page(
        ("home", access.access_key(request.user, acting)),
        versions.ALL,
        lambda: render_to_string("core/_home.html", _home_context(request, acting), request),
        agencies=[acting.agency_id] if acting else None,  # the board is the acting agency's
    )
    return render(request, "core/home.html", {"content": content})


def _home_context(request, acting) -> dict:
    agency = acting.agency if acting else None
    board = None
    if agency is not None or access.is_admin(request.user):
        board = dashboard(user=request.user, agency=agency)
    return {"board": board, "today": timezone.localdate()}


@login_not_required
@require_GET
def bare(request):
    """The base template without a query: the benchmark's ceiling of the stack (make bench)."""
    return render(request, "base.html")
