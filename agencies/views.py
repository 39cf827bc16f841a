from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError, add_form_error
from core.pagination import uncounted_page
from core.search import contains_q

from . import rules as access
from . import selectors, services
from .forms import DownloadFilterForm, HostStructureForm
from .middleware import SESSION_KEY
from .selectors import agencies_visible_to, host_structures_visible_to

PAGE_SIZE = 50


@require_GET
def agency_list(request):
    agencies = selectors.agency_directory(user=request.user)
    return render(request, "agencies/agency_list.html", {"agencies": agencies})


@require_GET
def agency_detail(request, pk):
    agency = get_object_or_404(agencies_visible_to(request.user), pk=pk)
    can_view_members = request.user.has_perm("vir.view_members", agency)
    is_member = access.is_admin(request.user) or agency.pk in access.agency_ids_of(request.user)
    context = {
        "agency": agency,
        "is_member": is_member,
        "host_structures": selectors.agency_host_structures(user=request.user, agency=agency)
        if is_member
        else None,
        "host_structure_count": None if is_member else agency.host_structures.active().count(),
        "partners": selectors.agency_partners(agency=agency),
        "members": selectors.agency_members(agency=agency) if can_view_members else None,
        # The form adds a structure to the agency the user acts for (as the list's button).
        "can_add_structure": request.membership is not None
        and request.membership.agency_id == agency.pk
        and request.user.has_perm("vir.add_hoststructure", agency),
    }
    return render(request, "agencies/agency_detail.html", context)


@require_GET
def host_structure_list(request):
    structures = host_structures_visible_to(request.user).prefetch_related("themes")
    query = request.GET.get("q", "").strip()
    if query:
        structures = structures.filter(contains_q(["name", "city"], query))
    page = Paginator(structures, PAGE_SIZE).get_page(request.GET.get("page"))
    agency = request.membership.agency if request.membership else None
    return render(
        request,
        "agencies/hoststructure_list.html",
        {
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}) if query else "",
            "can_add": agency is not None
            and request.user.has_perm("vir.add_hoststructure", agency),
        },
    )


def _host_structure_for_user(request, pk, perm=None):
    """The structure if the user may see it (else 404), and may ``perm`` it (else 403)."""
    structure = get_object_or_404(host_structures_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, structure):
        raise PermissionDenied
    return structure


@require_GET
def host_structure_detail(request, pk):
    structure = _host_structure_for_user(request, pk)
    return render(
        request,
        "agencies/hoststructure_detail.html",
        {
            "structure": structure,
            "can_edit": request.user.has_perm("vir.change_hoststructure", structure),
        },
    )


@require_http_methods(["GET", "POST"])
def host_structure_create(request):
    agency = request.membership.agency if request.membership else None
    if agency is None or not request.user.has_perm("vir.add_hoststructure", agency):
        raise PermissionDenied
    form = HostStructureForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            structure = services.host_structure_save(form=form)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("Host structure “%s” created.") % structure.name)
            return redirect("agencies:hoststructure_detail", pk=structure.pk)
    return render(request, "agencies/hoststructure_form.html", {"form": form, "agency": agency})


@require_http_methods(["GET", "POST"])
def host_structure_edit(request, pk):
    structure = _host_structure_for_user(request, pk, "vir.change_hoststructure")
    form = HostStructureForm(request.POST or None, instance=structure, agency=structure.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.host_structure_save(form=form)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("Host structure “%s” saved.") % structure.name)
            return redirect("agencies:hoststructure_detail", pk=structure.pk)
    return render(
        request,
        "agencies/hoststructure_form.html",
        {"form": form, "agency": structure.agency, "structure": structure},
    )


@require_POST
def switch_agency(request):
    """Choose which of the user's agencies the pages act for."""
    try:
        agency_id = int(request.POST.get("agency", ""))
    except ValueError:
        agency_id = None
    if agency_id not in access.agency_ids_of(request.user):
        messages.error(request, _("You are not a member of that agency."))
    else:
        request.session[SESSION_KEY] = agency_id
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "home"
    return redirect(next_url)


@require_GET
def download_log(request):
    """The downloads of personal and agreement data made for the acting agency: its managers'."""
    agency = request.membership.agency if request.membership else None
    if agency is None or not request.user.has_perm("vir.view_download_log", agency):
        raise PermissionDenied
    form = DownloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    downloads = selectors.agency_downloads(agency=agency, filters=filters)
    page = uncounted_page(downloads, request.GET.get("page"), PAGE_SIZE)
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "agencies/download_log.html",
        {"agency": agency, "form": form, "page": page, "query_string": urlencode(query)},
    )
