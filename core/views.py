from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import rules as access
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
    """The dashboard of the acting agency (all agencies for an administrator without one)."""
    acting = request.membership or None
    return render(request, "core/home.html", _home_context(request, acting))


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
