import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import rules as access
from agencies.services import Kind, download_record
from core.errors import DomainError, add_form_error
from core.pagination import PAGE_PARAMETERS, page_of_request
from core.texts import of

from . import export_jobs, exporting, selectors, services
from .eligibility import evaluate
from .filters import MIN_SEARCH_LENGTH, VolunteerFilter, filters_shown, search_too_short
from .forms import (
    EligibilityDateForm,
    ExperienceFormSet,
    ImportForm,
    LanguageFormSet,
    VolunteerForm,
    WithdrawForm,
)
from .models import Experience, Volunteer
from .selectors import (
    volunteer_exports_visible_to,
    volunteer_imports_visible_to,
    volunteers_registered_by,
    volunteers_visible_to,
)

PAGE_SIZE = 50

INVALID_FILTERS = _lazy("Correct the filters before exporting: nothing was exported.")
BROKER_DOWN = _lazy(
    "The task queue cannot be reached: your export is recorded and will start as soon as it "
    "is back."
)


def _acting_agency(request, perm):
    """The agency the page acts for, if the user's role there allows ``perm`` (else 403)."""
    agency = request.membership.agency if request.membership else None
    if agency is None or not request.user.has_perm(perm, agency):
        raise PermissionDenied
    return agency


def _volunteer_for_user(request, pk, perm=None):
    """The volunteer if the user may see it (else 404), and may ``perm`` it (else 403)."""
    volunteer = get_object_or_404(volunteers_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, volunteer):
        raise PermissionDenied
    return volunteer


def _filtered(request, queryset):
    return VolunteerFilter(request.GET or None, queryset=queryset, user=request.user)


@require_GET
def index(request):
    """The agency's register, rendered from fresh queries on every request."""
    acting = request.membership
    return render(request, "volunteers/volunteer_list.html", _index_context(request, acting))


def _index_context(request, acting) -> dict:
    data = request.GET
    term = data.get("q", "").strip()
    too_short = search_too_short(term)  # left out by the filter, kept in its box
    show_agency = access.is_admin(request.user) or len(request.memberships) > 1
    register = selectors.for_list_rows(
        volunteers_registered_by(request.user), with_agency=show_agency
    )
    filterset = VolunteerFilter(data or None, queryset=register, user=request.user)
    valid = filterset.form.is_valid()
    on = (valid and filterset.form.cleaned_data.get("eligible_on")) or None
    on = on or timezone.localdate()
    volunteers = filterset.qs
    searched = filterset.is_bound and valid and filterset.form.cleaned_data.get("q")
    searched = searched and not too_short
    reader = (
        selectors.SearchReader(volunteers, filterset.unsearched, filterset.order)
        if searched
        else None
    )
    page, next_position = page_of_request(
        request,
        volunteers,
        model=Volunteer,
        keys=filterset.order,
        per_page=PAGE_SIZE,
        counted=reader and reader.page,
        read=reader,
    )
    page.object_list = selectors.mark_eligibility(page.object_list, on)
    filterset.offer_themes(selectors.mark_themes(page.object_list))
    query = request.GET.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    agency = acting.agency if acting else None
    return {
        "filter": filterset,
        "page": page,
        "next_position": next_position,
        "eligibility_date": on,
        "today": timezone.localdate(),
        "query_string": query.urlencode(),
        "show_agency": show_agency,
        "can_add": agency is not None and request.user.has_perm("vir.add_volunteer", agency),
        "can_export": request.user.has_perm("vir.export_volunteers"),
        "search_too_short": term if too_short else "",
        "min_search_length": MIN_SEARCH_LENGTH,
    }


@require_POST
def export(request):
    """Record an export of the list as filtered (the query string) and show its progress."""
    if not request.user.has_perm("vir.export_volunteers"):
        raise PermissionDenied
    filters = _filtered(request, Volunteer.objects.none())
    if filters.is_bound and not filters.is_valid():
        # The list shows each filter's error; an export would leave the filter out unsaid.
        messages.error(request, INVALID_FILTERS)
        return redirect(f"{reverse('volunteers:index')}?{request.GET.urlencode()}")
    file_format = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
    job = export_jobs.volunteer_export_request(
        user=request.user,
        file_format=file_format,
        filters=export_jobs.export_filters(request.GET),
        language=get_language(),
        delimiter=request.POST.get("delimiter", ""),
    )
    if job.enqueued is False:
        messages.warning(request, BROKER_DOWN)
    return redirect("volunteers:export_detail", pk=job.pk)


def _export_for_user(request, pk):
    return get_object_or_404(volunteer_exports_visible_to(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def export_detail(request, pk):
    job = _export_for_user(request, pk)
    if request.method == "POST":
        # "Start again": still queued (the broker was down) or failed.
        if export_jobs.volunteer_export_restart(export=job):
            messages.info(request, _("The export has been queued again."))
        elif job.status == job.Status.QUEUED:
            messages.warning(request, BROKER_DOWN)
        return redirect("volunteers:export_detail", pk=job.pk)
    context = {"job": job, "waiting_long": _waiting_long(job)}
    if request.htmx:
        return render(request, "volunteers/_export_status.html", context)
    context["filters_shown"] = filters_shown(job.filters)
    return render(request, "volunteers/export_detail.html", context)


@require_GET
def export_download(request, pk):
    """The file, only through this view and only for its requester; each download is logged."""
    job = _export_for_user(request, pk)
    if job.status != job.Status.DONE or not job.file:
        raise Http404
    # The requester may have lost the role that let them export since the file was made.
    if not request.user.has_perm("vir.export_volunteers"):
        raise PermissionDenied
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # In the log of each agency whose volunteers the file holds (a member of several agencies
    # exports the union of their registers, as their list shows it).
    download_record(
        request=request,
        kind=Kind.VOLUNTEER_EXPORT,
        object_id=job.pk,
        label=job.filename,
        each_of=job.agency_ids,
    )
    return FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=job.content_type
    )


@require_GET
def detail(request, pk):
    volunteer = _volunteer_for_user(request, pk, "vir.view_full_volunteer")
    form = EligibilityDateForm(request.GET if "on" in request.GET else None)
    on = form.cleaned_data["on"] if form.is_bound and form.is_valid() else timezone.localdate()
    experiences = list(volunteer.experiences.all())
    result = evaluate(
        volunteer.birth_date,
        [e.period for e in experiences],
        on,
        year_only=volunteer.is_anonymised,
    )
    user = request.user
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "languages": volunteer.languages.all(),
            "themes": volunteer.themes.all(),
            "date_form": form if form.is_bound else EligibilityDateForm(initial={"on": on}),
            "eligibility": result,
            "timeline": selectors.experience_timeline(experiences, on),
            "history": selectors.volunteer_recent_history(volunteer),
            "can_edit": user.has_perm("vir.change_volunteer", volunteer),
            "can_withdraw": user.has_perm("vir.withdraw_volunteer", volunteer)
            and volunteer.status != volunteer.Status.WITHDRAWN,
            "can_download": user.has_perm("vir.download_personal_data", volunteer),
            "can_anonymise": user.has_perm("vir.anonymise_volunteer", volunteer),
            "withdraw_form": WithdrawForm(),
            # What the apps above keep of the volunteer (their placements): each drawn by its
            # app (``settings.VOLUNTEER_PAGE_PANELS``), as this app imports none of them.
            "panels": [
                import_string(path)(volunteer=volunteer, user=user)
                for path in settings.VOLUNTEER_PAGE_PANELS
            ],
        },
    )


def _edit(request, volunteer, agency):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = VolunteerForm(data, instance=volunteer, agency=agency)
    experiences = ExperienceFormSet(data, files, instance=form.instance, prefix="experiences")
    languages = LanguageFormSet(data, instance=form.instance, prefix="languages")
    if request.method == "POST" and all(
        [form.is_valid(), experiences.is_valid(), languages.is_valid()]
    ):
        try:
            saved = services.volunteer_save(form=form, experiences=experiences, languages=languages)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _("The record %(of_volunteer)s is saved.") % {"of_volunteer": of(saved.full_name)},
            )
            return redirect("volunteers:detail", pk=saved.pk)
    return render(
        request,
        "volunteers/volunteer_form.html",
        {
            "form": form,
            "experiences": experiences,
            "languages": languages,
            "agency": agency,
            "volunteer": volunteer,
        },
    )


@require_http_methods(["GET", "POST"])
def create(request):
    agency = _acting_agency(request, "vir.add_volunteer")
    return _edit(request, None, agency)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    volunteer = _volunteer_for_user(request, pk, "vir.change_volunteer")
    return _edit(request, volunteer, volunteer.sending_agency)


@require_POST
def withdraw(request, pk):
    volunteer = _volunteer_for_user(request, pk, "vir.withdraw_volunteer")
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.volunteer_withdraw(volunteer=volunteer, user=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Withdrawal %(of_volunteer)s recorded: no new nomination is possible.")
            % {"of_volunteer": of(volunteer.full_name)},
        )
    return redirect("volunteers:detail", pk=volunteer.pk)


@require_GET
def personal_data(request, pk):
    volunteer = _volunteer_for_user(request, pk, "vir.download_personal_data")
    data = services.volunteer_personal_data(volunteer=volunteer, user=request.user)
    download_record(
        request=request,
        kind=Kind.PERSONAL_DATA,
        object_id=volunteer.pk,
        label=volunteer.full_name,
        concerns=[volunteer.sending_agency_id],
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="volunteer-{volunteer.pk}.json"'
    return response


@require_http_methods(["GET", "POST"])
def anonymise(request, pk):
    volunteer = _volunteer_for_user(request, pk, "vir.anonymise_volunteer")
    if request.method == "POST":
        try:
            services.volunteer_anonymise(volunteer=volunteer, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The volunteer’s identity has been erased."))
        return redirect("volunteers:detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_anonymise.html", {"volunteer": volunteer})


@require_GET
def proof(request, pk):
    """A proof document, through the access rules: uploaded files have no public URL."""
    experience = get_object_or_404(Experience.objects.select_related("volunteer"), pk=pk)
    _volunteer_for_user(request, experience.volunteer_id, "vir.view_full_volunteer")
    opened = selectors.open_proof(experience)
    if opened is None:
        raise Http404
    file, filename, content_type = opened
    download_record(
        request=request,
        kind=Kind.PROOF,
        object_id=experience.pk,
        label=f"{experience.volunteer.full_name} — {filename}",
        concerns=[experience.volunteer.sending_agency_id],
    )
    return FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)


# --- Import ---------------------------------------------------------------------------------


TEMPLATE_NAMES = {
    "fr": "volontaires-modele",
    "en": "volunteers-template",
    "es": "voluntarios-plantilla",
}


@require_GET
def import_template(request):
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    language = request.GET.get("lang") if request.GET.get("lang") in TEMPLATE_NAMES else "fr"
    content = exporting.template_file(file_format, language)
    content_type = exporting.XLSX_TYPE if file_format == "xlsx" else exporting.CSV_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = TEMPLATE_NAMES[language]
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@require_http_methods(["GET", "POST"])
def import_upload(request):
    agency = _acting_agency(request, "vir.import_volunteers")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, created = services.volunteer_import_submit(
                agency=agency,
                user=request.user,
                data=form.data_bytes,
                file_name=upload.name,
                language=get_language(),
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if not created:
                messages.info(
                    request,
                    _("This file was already submitted: here is its import, it is not run twice."),
                )
            return redirect("volunteers:import_detail", pk=job.pk)
    return render(
        request,
        "volunteers/import_upload.html",
        {
            "form": form,
            "agency": agency,
            "imports": selectors.agency_recent_imports(agency=agency),
        },
    )


@require_http_methods(["GET", "POST"])
def import_detail(request, pk):
    job = get_object_or_404(volunteer_imports_visible_to(request.user), pk=pk)
    if not request.user.has_perm("vir.view_volunteerimport", job):
        raise PermissionDenied
    if request.method == "POST":
        # "Start again" for a job still queued: the broker may have been down when recorded.
        if services.volunteer_import_enqueue_again(volunteer_import=job):
            messages.info(request, _("The import has been queued again."))
        return redirect("volunteers:import_detail", pk=job.pk)
    template = "volunteers/_import_status.html" if request.htmx else "volunteers/import_detail.html"
    return render(request, template, {"job": job, "waiting_long": _waiting_long(job)})


def _waiting_long(job) -> bool:
    return (
        job.status == job.Status.QUEUED and (timezone.now() - job.created_at).total_seconds() > 60
    )
