"""On-demand quota reports, from the agreement page (one agreement) and the reports page (the
acting agency's agreements, or all of them for administrators)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .forms import QuotaReportForm
from .quota_report import quota_report_request, quota_report_scope


@require_POST
def quota_report_create(request):
    form = QuotaReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:index")
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
        return redirect("reports:index")
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
