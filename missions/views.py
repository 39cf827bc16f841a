from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import rules as access
from agencies.services import Kind, download_record
from core.errors import DomainError, add_form_error
from core.pagination import PAGE_PARAMETERS, page_of_request
from core.texts import of
from volunteers.models import Experience, Volunteer
from volunteers.selectors import open_proof
from volunteers.validators import sniff

from . import departures, selectors, services
from .forms import (
    AgreementPickForm,
    ChecklistItemForm,
    DepartureForm,
    FollowUpForm,
    MissionFilterForm,
    MissionForm,
    NominateFilterForm,
    NoteForm,
    ReasonForm,
    ReturnForm,
)
from .models import USED_STATUSES, ChecklistItem, FollowUp, Mission, Placement
from .selectors import missions_visible_to, placements_visible_to

PAGE_SIZE = 50


def _mission_for_user(request, pk, perm=None) -> Mission:
    """The mission if the user may see it (else 404), and may ``perm`` it (else 403)."""
    mission = get_object_or_404(missions_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, mission):
        raise PermissionDenied
    return mission


def _placement_for_user(request, pk, perm):
    placement = get_object_or_404(placements_visible_to(request.user), pk=pk)
    if not request.user.has_perm(perm, placement):
        raise PermissionDenied
    return placement


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_GET
def index(request):
    form = MissionFilterForm(request.GET or None)
    filters = selectors.MissionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.MissionFilters(
            side=data["side"],
            status=data["status"],
            theme=data["theme"].pk if data["theme"] else None,
            year=data["year"],
            q=data["q"].strip(),
        )
    missions = selectors.mission_list(user=request.user, filters=filters)
    page, next_position = page_of_request(
        request,
        missions,
        model=Mission,
        keys=selectors.MISSION_ORDER,
        per_page=PAGE_SIZE,
    )
    page.object_list = selectors.mark_placement_counts(list(page.object_list))
    query = {k: v for k, v in request.GET.items() if k not in PAGE_PARAMETERS and v}
    return render(
        request,
        "missions/mission_list.html",
        {
            "form": form,
            "page": page,
            "next_position": next_position,
            "query_string": urlencode(query),
            "filtered": bool(query),
            "can_add": request.user.has_perm("vir.create_missions"),
            "follow_ups": selectors.follow_ups_due(user=request.user, today=timezone.localdate())[
                :20
            ],
        },
    )


@require_GET
def mission_detail(request, pk):
    return _render_detail(request, _mission_for_user(request, pk))


def _render_detail(request, mission: Mission, bound=None):
    """The mission page; ``bound``: the departure or return form of one placement, refused
    (shown with its errors where it was typed)."""
    user = request.user
    placements = selectors.mission_placements(mission=mission)
    history = selectors.placement_history(mission=mission)
    can_record = user.has_perm("vir.record_placement", mission)
    for placement in placements:
        placement.steps = history.get(placement.pk, [])
        placement.reviewable = user.has_perm("vir.view_nominee", placement)
        placement.date_form = None  # set: a missing attribute is slow to look up in a template
        if bound is not None and bound.placement.pk == placement.pk:
            placement.date_form = bound
        elif can_record and placement.status == Placement.Status.CONFIRMED:
            placement.date_form = DepartureForm(placement=placement)
        elif can_record and placement.status == Placement.Status.DEPLOYED:
            placement.date_form = ReturnForm(placement=placement)
        for item in placement.checklist:
            item.can_update = user.has_perm("vir.update_checklist_item", item)
            item.can_read = bool(item.document) and user.has_perm(
                "vir.view_checklist_document", item
            )
        placement.open_required = [i for i in placement.checklist if i.required and i.is_open]
        placement.can_override = user.has_perm("vir.override_departure", placement)
    quota = selectors.mission_quota_places(mission=mission)
    taken = sum(p.status in USED_STATUSES for p in placements)
    context = {
        "mission": mission,
        "placements": placements,
        "quota": quota,
        "taken": taken,
        # A confirmation needs a place left in the mission and in its quota (else refused).
        "can_confirm": taken < mission.places and quota.remaining > 0,
        "can_edit": user.has_perm("vir.change_mission", mission),
        # Under a full quota the page says "full" instead: a nomination would be refused.
        "can_nominate": mission.status == Mission.Status.OPEN
        and quota.remaining > 0
        and user.has_perm("vir.nominate_mission", mission),
        "can_cancel": user.has_perm("vir.cancel_placement", mission),
        "can_decide": user.has_perm("vir.decide_placement", mission),
        "can_record": can_record,
        "can_see_profiles": user.has_perm("vir.view_sent_profiles", mission),
        "situations": [c for c in FollowUp.Situation.choices if c[0]],
        "checklist_statuses": ChecklistItem.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "missions/mission_detail.html", context)


def _agreement_step(request, default=None):
    """The administrator picks the agreement first (``?agreement=<reference>``): ``(pick form,
    agreement)``; members get ``(None, None)``: their own agencies' quotas fit one list."""
    if not access.is_admin(request.user):
        return None, None
    if "agreement" not in request.GET and default is not None:
        return AgreementPickForm(initial={"agreement": default.reference}), default
    pick = AgreementPickForm(request.GET if "agreement" in request.GET else None)
    return pick, (pick.cleaned_data["agreement"] if pick.is_valid() else None)


@require_http_methods(["GET", "POST"])
def mission_create(request):
    if not request.user.has_perm("vir.create_missions"):
        raise PermissionDenied
    pick, agreement = _agreement_step(request)
    form = MissionForm(
        request.POST or None,
        host_ids=_host_choices(request.user),
        agreement=agreement,
        initial={"status": "open"},
    )
    if request.method == "POST" and form.is_valid():
        mission = form.save(commit=False)
        if not request.user.has_perm("vir.add_mission", mission.quota):
            raise PermissionDenied
        try:
            services.mission_create(mission=mission, user=request.user)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("Mission “%(title)s” created.") % {"title": mission})
            return redirect(mission)
    return render(request, "missions/mission_form.html", {"form": form, "pick": pick})


def _host_choices(user) -> list[int] | None:
    """The agencies whose quotas the user may open missions under (the form's choices; the
    service checks the chosen quota again); None: every agency (the administrator)."""
    if access.is_admin(user):
        return None
    return list(access.agency_ids_with(user, access.MANAGE_MISSIONS))


@require_http_methods(["GET", "POST"])
def mission_edit(request, pk):
    mission = _mission_for_user(request, pk, "vir.change_mission")
    pick, agreement = _agreement_step(request, default=mission.quota.agreement)
    form = MissionForm(
        request.POST or None,
        instance=mission,
        host_ids=_host_choices(request.user),
        agreement=agreement,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mission_update(mission=form.save(commit=False), user=request.user)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("Mission “%(title)s” saved.") % {"title": mission})
            return redirect(mission)
    return render(
        request, "missions/mission_form.html", {"form": form, "mission": mission, "pick": pick}
    )


@require_http_methods(["GET", "POST"])
def mission_nominate(request, pk):
    mission = _mission_for_user(request, pk, "vir.nominate_mission")
    if request.method == "POST":
        chosen = request.POST.get("volunteer", "")
        volunteer = (
            Volunteer.objects.filter(sending_agency=mission.quota.sending_id, pk=chosen).first()
            if chosen.isdigit()
            else None
        )
        if volunteer is None:
            messages.error(request, _("Choose a volunteer of the sending agency."))
            return redirect("missions:nominate", mission.pk)
        try:
            services.placement_nominate(
                mission=mission, volunteer=volunteer, user=request.user, base_url=_base_url(request)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("missions:nominate", mission.pk)
        messages.success(
            request,
            # No participle agreeing with the volunteer: "proposé" said it of every volunteer.
            _("Nomination %(of_volunteer)s sent: the host agency is asked to confirm.")
            % {"of_volunteer": of(str(volunteer))},
        )
        return redirect(mission)
    form = NominateFilterForm(request.GET or None)
    q, eligible_only = "", False
    if form.is_valid():
        q, eligible_only = form.cleaned_data["q"].strip(), form.cleaned_data["eligible"]
    page, rules = selectors.nomination_page(
        mission=mission,
        q=q,
        eligible_only=eligible_only,
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "missions/mission_nominate.html",
        {
            "mission": mission,
            "quota": selectors.mission_quota_places(mission=mission),
            "form": form,
            "page": page,
            "rules": rules,
            "query_string": urlencode(query),
            "filtered": bool(query),
        },
    )


@require_GET
def placement_inbox(request):
    placements = selectors.inbox(user=request.user)
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "missions/placement_inbox.html", {"page": page, "query_string": ""})


def _act(request, pk, perm, run, success, form_class=None):
    """Run one placement step for a POST; a refusal or a bad form is shown as a message, on
    the page the form was sent from (the mission's, or the nominee's reduced profile)."""
    placement = _placement_for_user(request, pk, perm)
    refused = redirect(placement)
    if request.POST.get("from") == "nominee":
        refused = redirect("missions:nominee", placement.pk)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return refused
        data = form.cleaned_data
    try:
        run(placement, data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return refused
    name = str(placement.volunteer)
    messages.success(request, success % {"volunteer": name, "of_volunteer": of(name)})
    return redirect(placement)


def _nominee_for_user(request, pk) -> tuple[Placement, bool]:
    """The placement whose reduced profile the user reads (``vir.view_nominee``), and whether
    the user is rather of the sending agency (who has the full profile); anyone else: 404."""
    placement = get_object_or_404(placements_visible_to(request.user), pk=pk)
    if request.user.has_perm("vir.view_nominee", placement):
        return placement, False
    if request.user.has_perm("vir.view_sent_profiles", placement):
        return placement, True
    raise Http404


@require_GET
def placement_nominee(request, pk):
    """The host agency's view of a nominee: the reduced profile, and the decision."""
    placement, sender = _nominee_for_user(request, pk)
    if sender:
        return redirect("volunteers:detail", placement.volunteer_id)
    user = request.user
    return render(
        request,
        "missions/placement_nominee.html",
        {
            "placement": placement,
            "mission": placement.mission,
            "profile": selectors.nominee_profile(placement=placement),
            "can_decide": placement.status == Placement.Status.NOMINATED
            and user.has_perm("vir.decide_placement", placement),
            "note_form": NoteForm(),
        },
    )


@require_GET
def placement_nominee_proof(request, pk, experience):
    """A proof document of the nominee's experience, for the host (the same rule as the
    reduced profile), recorded in the log of downloads under the host agency."""
    placement, sender = _nominee_for_user(request, pk)
    if sender:
        return redirect("volunteers:proof", experience)
    proof = get_object_or_404(Experience, pk=experience, volunteer_id=placement.volunteer_id)
    opened = open_proof(proof)
    if opened is None:
        raise Http404
    file, filename, content_type = opened
    download_record(
        request=request,
        kind=Kind.PROOF,
        object_id=proof.pk,
        label=f"{placement.volunteer.full_name} — {filename}",
        concerns=[placement.quota.receiving_id],
    )
    return FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)


@require_POST
def placement_cancel(request, pk):
    return _act(
        request,
        pk,
        "vir.cancel_placement",
        lambda p, d: services.placement_cancel(placement=p, user=request.user),
        _("The nomination %(of_volunteer)s is cancelled."),
    )


@require_POST
def placement_confirm(request, pk):
    return _act(
        request,
        pk,
        "vir.decide_placement",
        lambda p, d: services.placement_confirm(
            placement=p, user=request.user, note=d["note"], base_url=_base_url(request)
        ),
        _("Nomination confirmed: %(volunteer)s."),
        NoteForm,
    )


@require_POST
def placement_decline(request, pk):
    return _act(
        request,
        pk,
        "vir.decide_placement",
        lambda p, d: services.placement_decline(
            placement=p, user=request.user, reason=d["reason"], base_url=_base_url(request)
        ),
        _("The nomination %(of_volunteer)s is declined."),
        ReasonForm,
    )


def _record_date(request, pk, status, form_class, run, success):
    """A departure or a return: a refused date is shown on the mission page, on its field."""
    placement = _placement_for_user(request, pk, "vir.record_placement")
    if placement.status != status:
        messages.error(
            request,
            _("This placement is %(status)s: this step is not possible.")
            % {"status": placement.get_status_display().lower()},
        )
        return redirect(placement)
    mission = _mission_for_user(request, placement.mission_id)
    placement.mission = mission
    form = form_class(request.POST, placement=placement)
    if form.is_valid():
        try:
            run(placement, form.cleaned_data)
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            name = str(placement.volunteer)
            messages.success(request, success % {"volunteer": name, "of_volunteer": of(name)})
            return redirect(placement)
    return _render_detail(request, mission, bound=form)


@require_POST
def placement_deploy(request, pk):
    return _record_date(
        request,
        pk,
        Placement.Status.CONFIRMED,
        DepartureForm,
        lambda p, d: services.placement_deploy(
            placement=p,
            user=request.user,
            departure_date=d["departure_date"],
            override_reason=d["override_reason"],
        ),
        _("The departure %(of_volunteer)s is recorded."),
    )


@require_POST
def placement_complete(request, pk):
    return _record_date(
        request,
        pk,
        Placement.Status.DEPLOYED,
        ReturnForm,
        lambda p, d: services.placement_complete(
            placement=p,
            user=request.user,
            return_date=d["return_date"],
            early_return_reason=d["early_return_reason"],
            early_return_note=d["early_return_note"],
        ),
        _("The return %(of_volunteer)s is recorded."),
    )


@require_POST
def placement_withdraw(request, pk):
    return _act(
        request,
        pk,
        "vir.record_placement",
        lambda p, d: services.placement_withdraw(
            placement=p, user=request.user, reason=d["reason"], base_url=_base_url(request)
        ),
        _("The withdrawal %(of_volunteer)s is recorded."),
        ReasonForm,
    )


@require_POST
def follow_up_record(request, pk):
    follow_up = get_object_or_404(
        FollowUp.objects.filter(placement__in=placements_visible_to(request.user)).select_related(
            "placement__quota", "placement__volunteer"
        ),
        pk=pk,
    )
    placement = follow_up.placement
    if not request.user.has_perm("vir.record_followup", placement):
        raise PermissionDenied
    form = FollowUpForm(request.POST, instance=follow_up)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(placement)
    try:
        services.follow_up_record(
            follow_up=follow_up,
            user=request.user,
            situation=form.cleaned_data["situation"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up recorded."))
    return redirect(placement)


def _checklist_item_for_user(request, pk, perm) -> ChecklistItem:
    """The item if the user sees its placement (else 404), and may ``perm`` it (else 403)."""
    item = get_object_or_404(
        ChecklistItem.objects.filter(
            placement__in=placements_visible_to(request.user)
        ).select_related("placement__quota", "placement__volunteer", "placement__mission"),
        pk=pk,
    )
    if not request.user.has_perm(perm, item):
        raise PermissionDenied
    return item


@require_POST
def checklist_item_update(request, pk):
    item = _checklist_item_for_user(request, pk, "vir.update_checklist_item")
    placement = item.placement
    form = ChecklistItemForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(placement)
    try:
        departures.checklist_item_update(
            item=item,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            document=form.cleaned_data["document"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(item)s: %(status)s.")
            % {"item": item.get_kind_display(), "status": item.get_status_display().lower()},
        )
    return redirect(placement)


@require_GET
def checklist_document(request, pk):
    """A checklist item's document, through the access rules (no public URL), logged."""
    item = _checklist_item_for_user(request, pk, "vir.view_checklist_document")
    if not item.document:
        raise Http404
    file = item.document.open("rb")
    content_type = sniff(file.read(16)) or "application/octet-stream"
    file.seek(0)
    filename = item.document_name or item.document.name.rsplit("/", 1)[-1]
    download_record(
        request=request,
        kind=Kind.CHECKLIST_DOCUMENT,
        object_id=item.pk,
        label=f"{item.placement.volunteer.full_name} — {item.get_kind_display()} — {filename}",
        concerns=[item.agency_id],
    )
    return FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)


def volunteer_placements_panel(*, volunteer: Volunteer, user) -> str:
    """The volunteer's placements on their page (``settings.VOLUNTEER_PAGE_PANELS``): each
    mission, its host, dates and status, linked to the mission's page."""
    return render_to_string(
        "missions/_volunteer_placements.html",
        {"placements": selectors.placements_of_volunteer(volunteer, user)},
    )
