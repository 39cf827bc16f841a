"""On-demand quota reports, from the agreement page (one agreement) and the reports page (the
acting agency's agreements, or all of them for administrators)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .forms import QuotaReportForm
from .quota_report import quota_report_request, quota_report_scope

# What the reports page's form is filled with again after a refusal (its query string).
TYPED = ["scope", "file_format", "language", "first_year", "last_year", "threshold", "delimiter"]


def _back_to_the_form(request):
    """The reports page, its form holding what was typed (``exchanges/_quota_report_form``)."""
    typed = {name: request.POST[name] for name in TYPED if request.POST.get(name)}
    return redirect(f"{reverse('reports:index')}?{urlencode(typed)}" if typed else "reports:index")


@require_POST
def quota_report_create(request):
    form = QuotaReportForm(request.POST)
    if not form.is_valid():
        # Each message names its field: the form has two years and a threshold.
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(
                    request,
                    _("%(field)s: %(error)s") % {"field": label, "error": error}
                    if label
                    else error,
                )
        return _back_to_the_form(request)
    data = form.cleaned_data
    membership = request.membership
    agreement, agency = quota_report_scope(
        user=request.user,
        scope=data["scope"],
        agreement_id=data["agreement"],
        acting_agency=membership.agency if membership else None,
    )
    try:
        report = quota_report_request(
            user=request.user,
            agreement=agreement,
            agency=agency,
            file_format=data["file_format"],
            language=data["language"],
            first_year=data["first_year"],
            last_year=data["last_year"],
            threshold=data["threshold"],
            delimiter=data["delimiter"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back_to_the_form(request)
    if report.enqueued is False:
        messages.warning(
            request,
            _(
                "The task service cannot be reached: your report is recorded as queued and will "
                "be produced as soon as it is back."
            ),
        )
    else:
        messages.success(request, _("Report requested."))
    return redirect("reports:detail", report.pk)
