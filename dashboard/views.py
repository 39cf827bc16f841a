from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies import rules as access
from core.errors import DomainError
from programmes.selectors import programmes_visible_to

from . import services
from .alerts import alert_panel
from .selectors import dashboard, overview

HOME_ALERTS = 10  # the most pressing, on the home page; the alerts page lists them all
ALERTS_PAGE = 50  # a page of the alerts page


PROGRAMMES_SHOWN = 20


@require_GET
def home(request):
    """The dashboard of the acting agency (all agencies for an administrator without one)."""
    acting = request.membership
    agency = acting.agency if acting else None
    board, programmes = None, []
    if agency is not None or access.is_admin(request.user):
        board = dashboard(user=request.user, agency=agency)
    else:  # a programme's staff or viewer (a funder) belongs to no agency: their programmes
        programmes = list(programmes_visible_to(request.user).order_by("name")[:PROGRAMMES_SHOWN])
    context = {"board": board, "programmes": programmes, "today": timezone.localdate()}
    return render(request, "dashboard/home.html", context)


@require_GET
def exchanges(request):
    """The exchanges at a glance: the acting agency's chart, or the network for an
    administrator acting for none. A page of its own, and a panel of the home page that htmx
    loads after the page (the fragment alone)."""
    acting = request.membership
    if acting is None and not access.is_admin(request.user):
        raise Http404
    context = {"overview": overview(agency=acting.agency if acting else None)}
    template = "dashboard/_exchanges.html" if request.htmx else "dashboard/exchanges.html"
    return render(request, template, context)


@require_GET
def alerts(request):
    """The acting agency's alerts (an administrator acting for none has none): a page of their
    own, with the acknowledged ones on demand, and the home page's panel of the most pressing,
    which htmx loads after the page (the fragment alone): the home page's own panels stay a
    few queries, and a large agency's two hundred alerts do not weigh on every home page."""
    acting = request.membership
    if acting is None:
        raise Http404
    panel = alert_panel(
        agency=acting.agency,
        today=timezone.localdate(),
        show_acknowledged=request.GET.get("all") == "1",
        limit=HOME_ALERTS if request.htmx else None,
    )
    if not request.htmx:
        panel.page = Paginator(panel.open, ALERTS_PAGE).get_page(request.GET.get("page"))
    context = {
        "alerts": panel,
        "page": panel.page,
        "query_string": "all=1" if panel.show_acknowledged else "",
        "can_acknowledge": request.user.has_perm("vir.acknowledge_alert", acting.agency),
        # Where an acknowledgement comes back to: the page showing the panel.
        "back": (request.htmx and request.htmx.current_url_abs_path) or request.get_full_path(),
    }
    template = "dashboard/_alerts.html" if request.htmx else "dashboard/alerts.html"
    return render(request, template, context)


@require_POST
def alert_acknowledge(request):
    """Acknowledge one alert of the acting agency (the alerts are the acting agency's: an
    administrator acting for none has none)."""
    acting = request.membership
    if acting is None:
        raise Http404
    if not request.user.has_perm("vir.acknowledge_alert", acting.agency):
        raise PermissionDenied
    try:
        services.alert_acknowledge(
            agency=acting.agency,
            kind=request.POST.get("kind", ""),
            key=request.POST.get("key", ""),
            user=request.user,
            today=timezone.localdate(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Alert acknowledged."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back or "/")
