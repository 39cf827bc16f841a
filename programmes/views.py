from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv import csv_bytes
from core.errors import DomainError, add_form_error
from core.login_throttle import client_ip
from core.search import contains_q
from missions.models import Mission
from missions.selectors import missions_visible_to
from reports.selectors import reports_visible_to

from . import selectors, services
from .forms import (
    ApplicationForm,
    AssessForm,
    MissionLinkForm,
    OperatorForm,
    ReportRequestForm,
    SupportActionForm,
)
from .models import Application, Call, ProgrammeMission
from .report import figure_rows, programme_report_request

PAGE_SIZE = 50


# --- Public: the call's form, without an account ---------------------------------------------


def _rate_limited(request) -> bool:
    """Whether this address has posted more applications than allowed in the last hour (the
    counter lives in the cache: Redis in production, shared by every process)."""
    key = f"programmes:apply:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.PROGRAMME_APPLY_LIMIT_PER_HOUR


def _save_application(request, form, save) -> bool:
    """Run ``save`` (a service) with the form's data; its refusal becomes a form error."""
    try:
        with transaction.atomic():
            save(data=form.cleaned_data, themes=form.cleaned_data["themes"])
    except DomainError as error:
        add_form_error(form, error)
        return False
    return True


@login_not_required
@require_http_methods(["GET", "POST"])
def apply(request, slug):
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    is_open = call.is_open()
    form = ApplicationForm(request.POST or None, call=call)
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "programmes/rate_limited.html", {"call": call}, status=429)
        if not is_open:
            status = 403  # the page says why; nothing is saved
        elif form.is_spam:
            return redirect("programmes:applied", slug=call.slug)  # told nothing, saved nothing
        elif form.is_valid() and _save_application(
            request, form, lambda **kw: services.application_submit(call=call, **kw)
        ):
            return redirect("programmes:applied", slug=call.slug)
        else:
            status = 400
    return render(
        request,
        "programmes/apply.html",
        {"call": call, "form": form, "is_open": is_open, "now": timezone.now()},
        status=status,
    )


@login_not_required
@require_GET
def applied(request, slug):
    call = get_object_or_404(Call, slug=slug)
    return render(request, "programmes/applied.html", {"call": call})


def _by_token(token) -> Application:
    application = services.application_from_token(token)
    if application is None:
        raise Http404
    return application


@login_not_required
@require_http_methods(["GET", "POST"])
def amend(request, token):
    application = _by_token(token)
    call = application.call
    is_open = call.is_open() and application.decision == Application.Decision.PENDING
    form = ApplicationForm(
        request.POST or None,
        instance=application,
        initial={"themes": list(application.themes.all())},
        call=call,
    )
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "programmes/rate_limited.html", {"call": call}, status=429)
        if not is_open:
            status = 403
        elif form.is_valid() and _save_application(
            request,
            form,
            lambda **kw: services.application_amend(application=application, **kw),
        ):
            messages.success(request, _("Your application is updated."))
            return redirect("programmes:amend", token=token)
        else:
            status = 400
    operator_form = None
    if application.is_laureate and application.notified_at:
        operator_form = OperatorForm(
            programme=call.programme, initial={"operator": application.operator_id}
        )
    return render(
        request,
        "programmes/amend.html",
        {
            "application": application,
            "call": call,
            "form": form,
            "is_open": is_open,
            "operator_form": operator_form,
            "token": token,
        },
        status=status,
    )


@login_not_required
@require_POST
def choose_operator(request, token):
    application = _by_token(token)
    form = OperatorForm(request.POST, programme=application.call.programme)
    if form.is_valid():
        try:
            services.operator_choose(
                application=application, operator=form.cleaned_data["operator"]
            )
            messages.success(request, _("Your operator is recorded."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose one of the programme's operators."))
    return redirect("programmes:amend", token=token)


# --- Staff pages ----------------------------------------------------------------------------


def _programme_for_user(request, pk, perm=None):
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, programme):
        raise PermissionDenied
    return programme


def _application_for_user(request, pk, perm=None) -> Application:
    application = get_object_or_404(
        selectors.applications_visible_to(request.user).select_related(
            "call__programme", "operator"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, application):
        raise PermissionDenied
    return application


@require_GET
def index(request):
    programmes = selectors.programmes_visible_to(request.user).select_related("lead_agency")
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@require_GET
def programme_detail(request, pk):
    programme = _programme_for_user(request, pk)
    decision = request.GET.get("decision", "")
    if decision not in Application.Decision.values:
        decision = ""
    page = Paginator(
        selectors.application_list(user=request.user, programme=programme, decision=decision),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    user = request.user
    can_select = user.has_perm("vir.select_applications", programme)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "page": page,
            "decision": decision,
            "decisions": Application.Decision.choices,
            "calls": _calls_with_notice_state(programme) if can_select else programme.calls.all(),
            "can_select": can_select,
            "can_view_dashboard": user.has_perm("vir.view_programme_dashboard", programme),
            # Live while selecting: the share of first-timers and the levels among laureates.
            "figures": selectors.selection_balance(programme)[0] if can_select else None,
        },
    )


def _calls_with_notice_state(programme):
    """The calls, each with why its applicants cannot be notified now (None: they can)."""
    calls = list(selectors.calls_with_notices(programme))
    for call in calls:
        call.notify_refusal = services.call_notify_refusal(
            call=call, to_notify=call.to_notify, last_notified=call.last_notified
        )
    return calls


@require_GET
def dashboard(request, pk):
    programme = _programme_for_user(request, pk, "vir.view_programme_dashboard")
    return render(
        request,
        "programmes/dashboard.html",
        {
            "programme": programme,
            "figures": selectors.programme_figures(programme),
            "schemes": programme.schemes.all(),
            "report_form": ReportRequestForm()
            if request.user.has_perm("vir.request_programme_report", programme)
            else None,
            "reports": reports_visible_to(request.user).filter(programme=programme)[:5],
        },
    )


@require_POST
def report_request(request, pk):
    """Record a progress report (PDF or CSV) and enqueue it; the reports page shows it."""
    programme = _programme_for_user(request, pk, "vir.request_programme_report")
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a format and a language."))
        return redirect("programmes:dashboard", pk=programme.pk)
    try:
        report = programme_report_request(
            programme=programme,
            user=request.user,
            file_format=form.cleaned_data["format"],
            language=form.cleaned_data["language"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("programmes:dashboard", pk=programme.pk)
    messages.success(request, _("The progress report is requested."))
    return redirect("reports:detail", pk=report.pk)


@require_GET
def dashboard_csv(request, pk):
    programme = _programme_for_user(request, pk, "vir.view_programme_dashboard")
    figures = selectors.programme_figures(programme)
    response = HttpResponse(csv_bytes(figure_rows(figures)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}.csv"'
    return response


@require_GET
def application_detail(request, pk):
    return _application_page(request, _application_for_user(request, pk))


def _assess_form(application, data=None) -> AssessForm:
    return AssessForm(
        data,
        initial={
            "score": application.score,
            "comment": application.comment,
            "decision": application.decision,
            "reason": application.reason,
        },
        notified=application.notified_at is not None,
    )


def _application_page(request, application, *, assess_form=None, support_form=None):
    """The application's page; a refused form comes back bound to what was typed, with its
    errors on their fields."""
    user = request.user
    can_select = user.has_perm("vir.select_applications", application)
    can_support = user.has_perm("vir.record_support", application) and application.is_laureate
    can_link = user.has_perm("vir.link_programme_mission", application)
    term, missions, more = "", Mission.objects.none(), False
    nothing_to_count = ""
    if can_link and application.operator_id:
        term, missions, more = _linkable_shown(request, application)
        if not term and not missions:  # a form whose list can have no option: say why
            nothing_to_count = _nothing_to_count(application)
    return render(
        request,
        "programmes/application_detail.html",
        {
            "application": application,
            "can_select": can_select,
            "assess_form": (assess_form or _assess_form(application)) if can_select else None,
            "support_form": (support_form or SupportActionForm()) if can_support else None,
            "link_form": MissionLinkForm(missions=missions, programme=application.call.programme)
            if can_link and application.operator_id and not nothing_to_count
            else None,
            "nothing_to_count": nothing_to_count,
            "mission_term": term,
            "more_missions": more,
            "linkable_shown": LINKABLE_SHOWN,
            "support_actions": application.support_actions.all(),
            "missions": application.programme_missions.select_related(
                "mission__host_structure", "scheme"
            ),
        },
    )


# The mission select offers the operator's newest linkable missions, or those matching the
# search (title or city): a large operator carries thousands, which no select can show.
LINKABLE_SHOWN = 50


def _linkable_shown(request, application):
    term = request.GET.get("mission", "").strip()[:100]
    missions = _linkable(request, application)
    if term:
        missions = missions.filter(contains_q(["title", "city"], term))
    ids = list(missions.order_by("-pk").values_list("pk", flat=True)[: LINKABLE_SHOWN + 1])
    shown = Mission.objects.filter(pk__in=ids[:LINKABLE_SHOWN]).order_by("-pk")
    return term, shown, len(ids) > LINKABLE_SHOWN


def _nothing_to_count(application) -> str:
    """Why no mission of the operator can be counted for the laureate: its operator is party to
    no agreement (the Agence du Service Civique), or none of its missions in the programme's
    period is left."""
    operator = application.operator
    if not services.operator_quotas(laureate=application).exists():
        return _(
            "%(operator)s is party to no agreement on the platform: it has no mission to count "
            "for this laureate."
        ) % {"operator": operator.acronym}
    programme = application.call.programme
    return _(
        "%(operator)s has no mission from %(start)s to %(end)s left to count for this laureate."
    ) % {
        "operator": operator.acronym,
        "start": date_format(programme.start_date, "SHORT_DATE_FORMAT"),
        "end": date_format(programme.end_date, "SHORT_DATE_FORMAT"),
    }


def _linkable(request, application):
    """The operator's missions the user sees, within the programme's period, not counted yet.

    "Not counted yet" is a ``NOT EXISTS``: written as a left join (``programme_link__isnull``)
    PostgreSQL expected one mission and joined the operator's 240,000 before sorting them
    (190 ms); the anti-join walks the newest missions and stops at the fiftieth (1.5 ms)."""
    programme = application.call.programme
    counted = ProgrammeMission.objects.filter(mission=OuterRef("pk"))
    return missions_visible_to(request.user).filter(
        ~Exists(counted),
        quota_id__in=services.operator_quotas(laureate=application).values("pk"),
        start_date__range=(programme.start_date, programme.end_date),
    )


@require_POST
def assess(request, pk):
    application = _application_for_user(request, pk, "vir.select_applications")
    form = _assess_form(application, request.POST)
    if form.is_valid():
        try:
            services.application_assess(
                application=application, user=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_form_error(form, error)
        else:
            messages.success(request, _("The assessment is saved."))
            return redirect("programmes:application", pk=application.pk)
    return _application_page(request, application, assess_form=form)


@require_POST
def notify(request, pk):
    call = get_object_or_404(Call.objects.select_related("programme"), pk=pk)
    _programme_for_user(request, call.programme_id, "vir.select_applications")
    try:
        n = services.call_notify(call=call, user=request.user)
        messages.success(request, _("Applicants notified: %(n)s.") % {"n": n})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("programmes:detail", pk=call.programme_id)


@require_POST
def support_add(request, pk):
    application = _application_for_user(request, pk, "vir.record_support")
    form = SupportActionForm(request.POST)
    if form.is_valid():
        try:
            services.support_action_add(
                laureate=application, user=request.user, data=form.cleaned_data
            )
        except DomainError as error:
            add_form_error(form, error)
        else:
            messages.success(request, _("The support action is recorded."))
            return redirect("programmes:application", pk=application.pk)
    return _application_page(request, application, support_form=form)


@require_POST
def link_mission(request, pk):
    application = _application_for_user(request, pk, "vir.link_programme_mission")
    form = MissionLinkForm(
        request.POST,
        missions=_linkable(request, application),
        programme=application.call.programme,
    )
    if form.is_valid():
        try:
            services.programme_mission_link(
                laureate=application, user=request.user, **form.cleaned_data
            )
            messages.success(request, _("The mission counts for this laureate."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose one of the operator's missions and a scheme."))
    return redirect("programmes:application", pk=application.pk)
