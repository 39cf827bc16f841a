"""The volunteer's pages (public, through their personal link), the public verification of a
certificate, and the staff's record of a placement after the mission.

The public views answer an unknown, expired or malformed link or code exactly alike (404, the
same page), count it as a miss, and answer 429 to an address past its misses (``throttle``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.services import Kind, download_record
from core.errors import DomainError, add_form_error
from core.files import download_name
from exchanges.selectors import agreements_visible_to
from missions.models import FollowUp
from missions.selectors import placements_visible_to
from reports.models import Report

from . import certificates, insertion, selectors, services, throttle
from .forms import (
    HostAssessmentForm,
    LanguageForm,
    QuestionnaireForm,
    RevokeForm,
    SupportActionForm,
)
from .links import questionnaire_by_token
from .models import (
    ASSESSMENT_SCORES,
    QUESTIONNAIRE_SCORES,
    Certificate,
    HostAssessment,
    Questionnaire,
)

LINK, VERIFY = "link", "verify"


def _private(response):
    # A personal link must not leak to another site through the Referer header, nor stay in a
    # shared cache. "same-origin", not "no-referrer": the page's own forms must send their
    # Origin, or Django's CSRF check refuses them.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request, scope: str):
    """Too many misses from this address (429), or a miss (404): the same page for an unknown,
    an expired and a malformed link."""
    if throttle.is_blocked(request, scope):
        return _private(render(request, "voice/too_many.html", status=429))
    throttle.record_miss(request, scope)
    template = "voice/link_invalid.html" if scope == LINK else "voice/verify.html"
    return _private(render(request, template, {"found": None}, status=404))


def _by_token(request, token):
    """(questionnaire, None) or (None, the refusal)."""
    if throttle.is_blocked(request, LINK):
        return None, _refused(request, LINK)
    questionnaire = questionnaire_by_token(token)
    if questionnaire is None:
        return None, _refused(request, LINK)
    return questionnaire, None


def _certificate_of(questionnaire: Questionnaire) -> Certificate | None:
    return (
        Certificate.objects.filter(placement=questionnaire.placement_id)
        .select_related("report")
        .first()
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """The volunteer's questionnaire: answers saved as a draft until submitted, then read-only,
    with the certificate to download once rendered."""
    questionnaire, refusal = _by_token(request, token)
    if refusal:
        return refusal
    with translation.override(questionnaire.language):
        form = QuestionnaireForm(instance=questionnaire)
        if request.method == "POST":
            form = QuestionnaireForm(request.POST, instance=Questionnaire(pk=questionnaire.pk))
            if form.is_valid():
                submit = "submit" in request.POST
                try:
                    services.questionnaire_answer(
                        questionnaire=questionnaire, answers=form.cleaned_data, submit=submit
                    )
                except DomainError as exc:
                    if questionnaire.is_submitted:
                        # Sent again after its submission (another tab): the answers stand.
                        messages.error(request, exc.message)
                        return redirect("voice:answer", token)
                    add_form_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("Thank you: your answers are submitted.")
                        if submit
                        else _("Your answers are saved; you can come back and submit them later."),
                    )
                    return redirect("voice:answer", token)
        placement = questionnaire.placement
        context = {
            "token": token,
            "questionnaire": questionnaire,
            "placement": placement,
            "form": form,
            "language_form": LanguageForm(initial={"language": questionnaire.language}),
            "certificate": _certificate_of(questionnaire) if questionnaire.is_submitted else None,
        }
        return _private(render(request, "voice/answer.html", context))


@login_not_required
@require_POST
def answer_language(request, token):
    questionnaire, refusal = _by_token(request, token)
    if refusal:
        return refusal
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.questionnaire_set_language(
            questionnaire=questionnaire, language=form.cleaned_data["language"]
        )
    return redirect("voice:answer", token)


def _serve_certificate(request, certificate: Certificate | None):
    report = certificate.report if certificate else None
    if report is None or report.status != Report.Status.DONE or certificate.is_revoked:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    placement = certificate.placement
    download_record(
        request=request,
        kind=Kind.CERTIFICATE,
        object_id=certificate.pk,
        label=report.filename,
        concerns=(placement.quota.sending_id, placement.quota.receiving_id),
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(report.filename),
        content_type="application/pdf",
    )


@login_not_required
@require_GET
def answer_certificate(request, token):
    """The certificate of the link's own placement, and nothing else."""
    questionnaire, refusal = _by_token(request, token)
    if refusal:
        return refusal
    certificate = _certificate_of(questionnaire)
    if certificate is not None:
        certificate.placement = questionnaire.placement
    return _private(_serve_certificate(request, certificate))


@login_not_required
@require_GET
def verify(request, code):
    """Whether a certificate is genuine, with its essential facts only (who, which agencies,
    when); a revoked one says so and shows no more; an unknown code is a miss."""
    if throttle.is_blocked(request, VERIFY):
        return _refused(request, VERIFY)
    certificate = certificates.certificate_by_code(code)
    if certificate is None:
        return _refused(request, VERIFY)
    context = {
        "found": certificate,
        "revoked": certificate.is_revoked,
        "facts": None if certificate.is_revoked else certificates.facts_shown(certificate.facts),
        "code": certificates.shown_code(certificate.code),
    }
    return render(request, "voice/verify.html", context)


# --- Staff -----------------------------------------------------------------------------------


def _placement_for_user(request, pk):
    return get_object_or_404(placements_visible_to(request.user), pk=pk)


def _rows(instance, fields) -> list[tuple[str, str]]:
    """(label, value shown) of each field of ``instance``: choices by their label, a score as
    "n / 5", yes/no for a boolean."""
    if instance is None:
        return []
    rows = []
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if value is None or value == "":
            shown = ""
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif name in QUESTIONNAIRE_SCORES or name in ASSESSMENT_SCORES:
            shown = f"{value} / 5"
        elif field.choices:
            shown = getattr(instance, f"get_{name}_display")()
        else:
            shown = value
        rows.append((field.verbose_name, shown))
    return rows


@require_GET
def placement_record(request, pk):
    """After the mission: the volunteer's answers, the host's assessment, the certificate, and
    the follow-ups with their support actions."""
    return _render_record(request, _placement_for_user(request, pk))


def _render_record(request, placement, *, assessment_form=None, support=None):
    """The placement's record; ``assessment_form``, ``support`` (a follow-up's id and its
    support action form): a form refused, shown again with what was typed and its errors."""
    questionnaire = (
        Questionnaire.objects.filter(placement=placement).prefetch_related("messages").first()
    )
    assessment = HostAssessment.objects.filter(placement=placement).first()
    certificate = Certificate.objects.filter(placement=placement).select_related("report").first()
    follow_ups = list(
        FollowUp.objects.filter(placement=placement).prefetch_related("support_actions")
    )
    for follow_up in follow_ups:
        refused = support is not None and support[0] == follow_up.pk
        follow_up.support_form = support[1] if refused else SupportActionForm()
    user = request.user
    context = {
        "answer_rows": _rows(questionnaire, QuestionnaireForm.Meta.fields)
        if questionnaire and questionnaire.is_submitted
        else [],
        "assessment_rows": _rows(assessment, HostAssessmentForm.Meta.fields),
        "placement": placement,
        "questionnaire": questionnaire,
        "assessment": assessment,
        "certificate": certificate,
        # Written as the PDF and the verification page write it (groups of four, dashed).
        "certificate_code": certificates.shown_code(certificate.code) if certificate else "",
        "follow_ups": follow_ups,
        "can_assess": user.has_perm("vir.assess_placement", placement)
        and placement.status == placement.Status.COMPLETED,
        "assessment_form": assessment_form or HostAssessmentForm(instance=assessment),
        "can_revoke": certificate is not None
        and not certificate.is_revoked
        and user.has_perm("vir.revoke_certificate", placement),
        "revoke_form": RevokeForm(),
        "can_support": user.has_perm("vir.record_support_action", placement),
    }
    return render(request, "voice/placement_record.html", context)


@require_POST
def assess(request, pk):
    placement = _placement_for_user(request, pk)
    if not request.user.has_perm("vir.assess_placement", placement):
        raise PermissionDenied
    form = HostAssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.host_assessment_save(
                placement=placement, user=request.user, answers=form.cleaned_data
            )
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("The assessment is saved."))
            return redirect("voice:placement", placement.pk)
    messages.error(request, _("The assessment was not saved: check the answers."))
    return _render_record(request, placement, assessment_form=form)


@require_GET
def certificate_download(request, pk):
    certificate = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
    certificate.placement = _placement_for_user(request, certificate.placement_id)
    return _serve_certificate(request, certificate)


@require_POST
def certificate_revoke(request, pk):
    certificate = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
    certificate.placement = _placement_for_user(request, certificate.placement_id)
    if not request.user.has_perm("vir.revoke_certificate", certificate.placement):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Give the reason for the revocation."))
        certificates.certificate_revoke(
            certificate=certificate, user=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The certificate is revoked."))
    return redirect("voice:placement", certificate.placement_id)


@require_POST
def support_action_add(request, pk):
    follow_up = get_object_or_404(
        FollowUp.objects.filter(placement__in=placements_visible_to(request.user).values("pk")),
        pk=pk,
    )
    if not request.user.has_perm("vir.record_support_action", follow_up.placement):
        raise PermissionDenied
    form = SupportActionForm(request.POST)
    if form.is_valid():
        try:
            insertion.support_action_add(
                follow_up=follow_up, user=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("The support action is recorded."))
            return redirect("voice:placement", follow_up.placement_id)
    messages.error(request, _("The support action was not recorded: check the form."))
    placement = _placement_for_user(request, follow_up.placement_id)
    return _render_record(request, placement, support=(follow_up.pk, form))


@require_GET
def agreement_insertion(request, pk):
    """The insertion rates of each cohort of an agreement (loaded into the agreement's page)."""
    agreement = get_object_or_404(agreements_visible_to(request.user), pk=pk)
    rates = selectors.insertion_rates(agreement_id=agreement.pk)
    template = "voice/_insertion_rates.html" if request.htmx else "voice/agreement_insertion.html"
    return render(request, template, {"agreement": agreement, "rates": rates})
