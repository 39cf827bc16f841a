from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies import rules as access

from .selectors import dashboard


@require_GET
def home(request):
    """The dashboard of the acting agency (all agencies for an administrator without one)."""
    acting = request.membership
    agency = acting.agency if acting else None
    board = None
    if agency is not None or access.is_admin(request.user):
        board = dashboard(user=request.user, agency=agency)
    context = {"board": board, "today": timezone.localdate()}
    return render(request, "dashboard/home.html", context)
