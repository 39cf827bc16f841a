from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import rules as access
from agencies.models import Agency
from agencies.services import Kind, download_record
from core.errors import DomainError, add_form_error
from core.files import download_name
from core.pagination import PAGE_PARAMETERS, page_of_request

from . import selectors, services
from .forms import AgreementFilterForm, AgreementForm, CompareForm, ReasonForm, quota_formset
from .models import Agreement, AgreementStatus
from .selectors import agreements_visible_to
from .versions import compare

PAGE_SIZE = 50


def _agreement_for_user(request, pk, perm=None) -> Agreement:
    """The agreement if the user may see it (else 404), and may ``perm`` it (else 403)."""
    agreement = get_object_or_404(agreements_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, agreement):
        raise PermissionDenied
    return agreement


def _acting_party(request, agreement) -> Agency | None:
    """The party the user acts for: the acting agency if they manage it, else the first party
    they manage; None for an administrator who manages neither."""
    managed = access.managed_parties(request.user, agreement)
    if not managed:
        return None
    acting = request.membership.agency_id if request.membership else None
    pk = acting if acting in managed else managed[0]
    return agreement.party_a if pk == agreement.party_a_id else agreement.party_b


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_GET
def index(request):
    """The agreements the user's agencies are party to (every agreement for an admin)."""
    acting = request.membership
    return render(request, "exchanges/agreement_list.html", _index_context(request, acting))


def _index_context(request, acting) -> dict:
    if access.is_admin(request.user):
        partners = Agency.objects.all()
    else:
        mine = access.agency_ids_of(request.user)
        # Two semi-joins, not joins: a large agency is party to thousands of agreements.
        partners = Agency.objects.filter(
            Q(pk__in=Agreement.objects.filter(party_a__in=mine).values("party_b"))
            | Q(pk__in=Agreement.objects.filter(party_b__in=mine).values("party_a"))
        )
    partners = partners.order_by("acronym")
    form = AgreementFilterForm(request.GET or None, partners=partners)
    filters = selectors.AgreementFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.AgreementFilters(
            partner=data["partner"],
            status=data["status"] or None,
            year=data["year"],
            theme=data["theme"].pk if data["theme"] else None,
            q=data["q"].strip(),
        )
    agreements = selectors.agreement_list(user=request.user, filters=filters)
    page, next_position = page_of_request(
        request,
        agreements,
        model=Agreement,
        keys=selectors.AGREEMENT_ORDER,
        per_page=PAGE_SIZE,
    )
    query = {k: v for k, v in request.GET.items() if k not in PAGE_PARAMETERS and v}
    agency = acting.agency if acting else None
    return {
        "form": form,
        "page": page,
        "next_position": next_position,
        "query_string": urlencode(query),
        "filtered": bool(query),
        "can_add": agency is not None and request.user.has_perm("vir.add_agreement", agency),
    }


@require_GET
def agreement_detail(request, pk):
    agreement = get_object_or_404(
        agreements_visible_to(request.user)
        .select_related("current_version", "last_approved_version")
        .prefetch_related("themes"),
        pk=pk,
    )
    quotas = agreement.quotas.all()
    approvals = selectors.version_approvals(version=agreement.current_version)
    user = request.user
    party = _acting_party(request, agreement)
    context = {
        "agreement": agreement,
        "figures": selectors.quota_figures(quotas=quotas),
        "balances": selectors.reciprocity_balance(quotas=quotas),
        "parties": [(p, approvals.get(p.pk)) for p in agreement.parties],
        "acting_party": party,
        "can_edit": agreement.is_editable and user.has_perm("vir.change_agreement", agreement),
        "can_submit": agreement.status == AgreementStatus.DRAFT
        and user.has_perm("vir.submit_agreement", agreement),
        "can_approve": party is not None and access.can_approve_for(user, agreement, party.pk),
        "can_suspend": agreement.phase in {AgreementStatus.APPROVED, AgreementStatus.ACTIVE}
        and user.has_perm("vir.suspend_agreement", agreement),
        "can_resume": agreement.status == AgreementStatus.SUSPENDED
        and user.has_perm("vir.suspend_agreement", agreement),
        "can_terminate": agreement.is_editable
        and user.has_perm("vir.terminate_agreement", agreement),
    }
    return render(request, "exchanges/agreement_detail.html", context)


def _save_agreement(request, form, formset, party_a, party_b, agreement=None):
    """Hand a valid form and formset to the services; None (and form errors) if refused."""
    quotas = formset.quotas(party_a.pk, party_b.pk)
    themes = form.cleaned_data["themes"]
    instance = form.save(commit=False)
    try:
        if agreement is None:
            return services.agreement_create(
                agreement=instance, themes=themes, quotas=quotas, user=request.user
            )
        version = services.agreement_update(
            agreement=instance,
            themes=themes,
            quotas=quotas,
            user=request.user,
            by_agency=_acting_party(request, agreement),
            base_url=_base_url(request),
        )
    except DomainError as exc:
        add_form_error(form, exc)
        return None
    if version is not None and version.number > 1:
        messages.info(
            request,
            _("Version %(number)s recorded: both parties must approve it.")
            % {"number": version.number},
        )
    return instance


def _period(form):
    """The agreement's (start, end) typed in ``form``, once it is valid (the quotas' cohorts
    are years of it), else None."""
    if form.is_bound and form.is_valid():
        return form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    return None


@require_http_methods(["GET", "POST"])
def agreement_create(request):
    agency = request.membership.agency if request.membership else None
    if agency is None or not request.user.has_perm("vir.add_agreement", agency):
        raise PermissionDenied
    form = AgreementForm(request.POST or None, request.FILES or None, party_a=agency)
    party_b = None
    if form.is_bound and form.is_valid():
        party_b = form.cleaned_data["party_b"]
    formset = quota_formset(request.POST or None, None, agency, party_b, period=_period(form))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        agreement = _save_agreement(request, form, formset, agency, party_b)
        if agreement is not None:
            messages.success(
                request, _("Agreement %(reference)s created.") % {"reference": agreement}
            )
            return redirect(agreement)
    return render(
        request,
        "exchanges/agreement_form.html",
        {"form": form, "formset": formset, "party_a": agency},
    )


@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = _agreement_for_user(request, pk, "vir.change_agreement")
    if not agreement.is_editable:
        messages.error(
            request, _("This agreement is closed or terminated: it can no longer change.")
        )
        return redirect(agreement)
    form = AgreementForm(
        request.POST or None, request.FILES or None, instance=agreement, party_a=agreement.party_a
    )
    formset = quota_formset(
        request.POST or None,
        agreement,
        agreement.party_a,
        agreement.party_b,
        period=_period(form),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = _save_agreement(
            request, form, formset, agreement.party_a, agreement.party_b, agreement
        )
        if saved is not None:
            messages.success(request, _("Agreement %(reference)s saved.") % {"reference": saved})
            return redirect(saved)
    return render(
        request,
        "exchanges/agreement_form.html",
        {"form": form, "formset": formset, "party_a": agreement.party_a, "agreement": agreement},
    )


def _action(request, pk, perm, run, success):
    """Run a lifecycle service for a POST; its refusal is shown as a message."""
    agreement = _agreement_for_user(request, pk, perm)
    try:
        run(agreement)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(agreement)


@require_POST
def agreement_submit(request, pk):
    return _action(
        request,
        pk,
        "vir.submit_agreement",
        lambda a: services.agreement_submit(
            agreement=a,
            user=request.user,
            by_agency=_acting_party(request, a),
            base_url=_base_url(request),
        ),
        _("Agreement submitted: the partner's managers are asked to approve it."),
    )


@require_POST
def agreement_approve(request, pk):
    agreement = _agreement_for_user(request, pk, "vir.approve_agreement")
    party = _acting_party(request, agreement)
    if party is None:
        # has_perm grants superusers everything; an approval is given on behalf of a party
        # that the user manages, which an administrator as such does not.
        raise PermissionDenied
    try:
        number = int(request.POST.get("version", ""))
    except ValueError:
        number = None  # a stale or altered form: the service says which version to read

    def run(agreement):
        services.agreement_approve(
            agreement=agreement,
            version_number=number,
            agency=party,
            user=request.user,
            base_url=_base_url(request),
        )

    return _action(request, pk, "vir.approve_agreement", run, _("Your approval is recorded."))


def _with_reason(service, request):
    def run(agreement):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            raise DomainError(_("Give a reason."))
        service(
            agreement=agreement,
            reason=form.cleaned_data["reason"],
            user=request.user,
            by_agency=_acting_party(request, agreement),
            base_url=_base_url(request),
        )

    return run


@require_POST
def agreement_suspend(request, pk):
    return _action(
        request,
        pk,
        "vir.suspend_agreement",
        _with_reason(services.agreement_suspend, request),
        _("Agreement suspended."),
    )


@require_POST
def agreement_resume(request, pk):
    return _action(
        request,
        pk,
        "vir.suspend_agreement",
        lambda a: services.agreement_resume(
            agreement=a,
            user=request.user,
            by_agency=_acting_party(request, a),
            base_url=_base_url(request),
        ),
        _("Agreement resumed."),
    )


@require_POST
def agreement_terminate(request, pk):
    return _action(
        request,
        pk,
        "vir.terminate_agreement",
        _with_reason(services.agreement_terminate, request),
        _("Agreement terminated."),
    )


@require_GET
def agreement_versions(request, pk):
    agreement = _agreement_for_user(request, pk)
    versions = selectors.agreement_versions(agreement=agreement)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "exchanges/agreement_versions.html", {"agreement": agreement, "page": page}
    )


@require_GET
def agreement_version(request, pk, number):
    agreement = _agreement_for_user(request, pk)
    version = get_object_or_404(agreement.versions, number=number)
    return render(
        request,
        "exchanges/agreement_version.html",
        {
            "agreement": agreement,
            "version": version,
            "substance": version.data,
            "approvals": selectors.version_approvals(version=version).values(),
        },
    )


@require_GET
def agreement_compare(request, pk):
    """Two versions side by side: by default the last approved one and the current one."""
    agreement = _agreement_for_user(request, pk)
    current = agreement.current_version.number if agreement.current_version else 1
    approved = agreement.last_approved_version
    default_old = approved.number if approved and approved.number != current else current - 1
    form = CompareForm(request.GET or {"old": max(default_old, 1), "new": current})
    comparison = old = new = None
    if form.is_valid():
        numbers = [form.cleaned_data["old"], form.cleaned_data["new"]]
        found = {v.number: v for v in agreement.versions.filter(number__in=numbers)}
        if len(found) != len(set(numbers)):
            raise Http404
        old, new = found[numbers[0]], found[numbers[1]]
        comparison = compare(old.data, new.data)
    return render(
        request,
        "exchanges/agreement_compare.html",
        {
            "agreement": agreement,
            "form": form,
            "old": old,
            "new": new,
            "comparison": comparison,
            "numbers": range(1, current + 1),
        },
    )


@require_GET
def agreement_document(request, pk):
    """The signed PDF, only through this view (never as public media)."""
    agreement = _agreement_for_user(request, pk)
    if not agreement.document:
        raise Http404
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    download_record(
        request=request,
        kind=Kind.AGREEMENT_DOCUMENT,
        object_id=agreement.pk,
        label=agreement.reference,
        concerns=(agreement.party_a_id, agreement.party_b_id),
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(f"{agreement.reference}.pdf"),
        content_type="application/pdf",
    )
