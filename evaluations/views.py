from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError, add_form_error
from core.pagination import page_of_request
from reports.selectors import reports_visible_to

from . import selectors, services
from .forms import (
    EvaluationForm,
    FindingFormSet,
    FollowUpForm,
    ReportRequestForm,
    ScoreFormSet,
    kept,
)
from .models import Evaluation, Finding
from .selectors import evaluations_visible_to

PAGE_SIZE = 50


def _evaluation_for_user(request, pk, perm=None) -> Evaluation:
    """The evaluation if the user may see it (else 404), and may ``perm`` it (else 403)."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, evaluation):
        raise PermissionDenied
    return evaluation


@require_GET
def index(request):
    page, next_position = page_of_request(
        request,
        selectors.evaluation_list(user=request.user),
        model=Evaluation,
        keys=selectors.EVALUATION_ORDER,
        per_page=PAGE_SIZE,
    )
    agency = request.membership.agency if request.membership else None
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "page": page,
            "next_position": next_position,
            "can_add": agency is not None and request.user.has_perm("vir.add_evaluation", agency),
        },
    )


@require_GET
def evaluation_detail(request, pk):
    evaluation = _evaluation_for_user(request, pk)
    user = request.user
    findings = list(evaluation.findings.select_related("owner"))
    for finding in findings:
        finding.can_follow_up = finding.is_recommendation and user.has_perm(
            "vir.follow_up_recommendation", finding
        )
    reports = reports_visible_to(user).filter(evaluation=evaluation)[:10]
    can_change = user.has_perm("vir.change_evaluation", evaluation)
    correction = Evaluation.objects.filter(previous=evaluation).only("version", "status").first()
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "scores": evaluation.scores.all(),
            "axes": selectors.findings_by_axis(findings),
            "figures": selectors.figures_of(evaluation=evaluation),
            "reports": reports,
            "can_edit": can_change and not evaluation.is_published,
            "can_publish": not evaluation.is_published
            and user.has_perm("vir.publish_evaluation", evaluation),
            "can_correct": evaluation.is_published and can_change and correction is None,
            # A published correction replaces this version: the page says so and links to it.
            "replaced_by": correction if correction and correction.is_published else None,
            "report_form": ReportRequestForm(),
            "follow_up_choices": Finding.FollowUp.choices,
        },
    )


def _edit(request, evaluation, agency):
    form = EvaluationForm(
        request.POST or None, instance=evaluation, user=request.user, agency=agency
    )
    scores = ScoreFormSet(request.POST or None, instance=evaluation, prefix="scores")
    agreement = form.chosen_agreement()
    owners = selectors.owner_choices(
        agreement=agreement, agreements=form.fields["agreement"].queryset
    )
    findings = FindingFormSet(
        request.POST or None,
        instance=evaluation,
        prefix="findings",
        form_kwargs={"owners": owners, "owner_rows": list(owners.values_list("pk", "acronym"))},
    )
    if request.method == "POST" and form.is_valid() and scores.is_valid() and findings.is_valid():
        service = services.evaluation_update if evaluation.pk else services.evaluation_create
        try:
            saved = service(
                evaluation=form.save(commit=False),
                scores=kept(scores),
                findings=kept(findings),
                user=request.user,
            )
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect(saved)
    return render(
        request,
        "evaluations/evaluation_form.html",
        {"form": form, "scores": scores, "findings": findings, "evaluation": evaluation},
    )


@require_http_methods(["GET", "POST"])
def evaluation_create(request):
    agency = request.membership.agency if request.membership else None
    if agency is None or not request.user.has_perm("vir.add_evaluation", agency):
        raise PermissionDenied
    return _edit(request, Evaluation(agency=agency), agency)


@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk):
    evaluation = _evaluation_for_user(request, pk, "vir.change_evaluation")
    if evaluation.is_published:
        messages.error(request, _("A published evaluation is frozen: make a new version."))
        return redirect(evaluation)
    return _edit(request, evaluation, evaluation.agency)


@require_POST
def evaluation_publish(request, pk):
    evaluation = _evaluation_for_user(request, pk, "vir.publish_evaluation")
    try:
        services.evaluation_publish(evaluation=evaluation, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        # The report's status is the row's, shown on the page (queued, running, done): the
        # message does not guess it.
        messages.success(
            request, _("Evaluation published. Its PDF report is requested: see its status below.")
        )
    return redirect(evaluation)


@require_POST
def evaluation_new_version(request, pk):
    evaluation = _evaluation_for_user(request, pk, "vir.change_evaluation")
    try:
        copy = services.evaluation_new_version(evaluation=evaluation, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(evaluation)
    messages.success(
        request, _("Version %(number)s created as a draft.") % {"number": copy.version}
    )
    return redirect("evaluations:edit", copy.pk)


@require_POST
def evaluation_request_report(request, pk):
    evaluation = _evaluation_for_user(request, pk)
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language."))
        return redirect(evaluation)
    try:
        report = services.evaluation_request_report(
            evaluation=evaluation, user=request.user, language=form.cleaned_data["language"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(evaluation)
    messages.success(request, _("Report requested."))  # its status: the row's, on the page
    return redirect("reports:detail", report.pk)


@require_POST
def recommendation_status(request, pk):
    finding = get_object_or_404(
        Finding.objects.select_related("evaluation").filter(
            evaluation__in=evaluations_visible_to(request.user)
        ),
        pk=pk,
    )
    if not request.user.has_perm("vir.follow_up_recommendation", finding):
        raise PermissionDenied
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a follow-up status."))
        return redirect(finding.evaluation)
    try:
        services.recommendation_set_status(
            finding=finding, status=form.cleaned_data["follow_up"], user=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up status updated."))
    return redirect(finding.evaluation)


@require_GET
def evaluation_history(request, pk):
    evaluation = _evaluation_for_user(request, pk)
    records = evaluation.history.select_related("history_user").order_by("-history_date")[:100]
    versions = []
    node = evaluation
    while node.previous_id:  # a short chain: one query per earlier version
        node = Evaluation.objects.get(pk=node.previous_id)
        versions.append(node)
    return render(
        request,
        "evaluations/evaluation_history.html",
        {"evaluation": evaluation, "records": records, "versions": versions},
    )
