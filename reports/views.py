from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from agencies.services import download_record
from core.errors import DomainError
from core.files import download_name
from core.pagination import CappedPaginator, page_of_request

from . import services
from .models import Report
from .selectors import REPORT_ORDER, report_count_rows, report_list, reports_visible_to

PAGE_SIZE = 50


def _report_for_user(request, pk) -> Report:
    return get_object_or_404(reports_visible_to(request.user), pk=pk)


@require_GET
def index(request):
    """Every report the user may download (newest first): a capped count, then pages past it."""
    count_rows = report_count_rows(request.user)
    page, next_position = page_of_request(
        request,
        report_list(user=request.user),
        model=Report,
        keys=REPORT_ORDER,
        per_page=PAGE_SIZE,
        counted=lambda reports, number, per_page: CappedPaginator(
            reports, per_page, count_rows=count_rows
        ).get_page(number),
    )
    return render(
        request, "reports/report_list.html", {"page": page, "next_position": next_position}
    )


@require_GET
def report_detail(request, pk):
    report = _report_for_user(request, pk)
    return render(
        request,
        "reports/report_detail.html",
        {"report": report, "parameters": services.report_describe(report)},
    )


@require_GET
def report_status(request, pk):
    """The fragment polled by htmx until the report is done or failed."""
    return render(request, "reports/_status.html", {"report": _report_for_user(request, pk)})


@require_POST
def report_retry(request, pk):
    report = _report_for_user(request, pk)
    if not request.user.has_perm("vir.retry_report", report):
        raise PermissionDenied
    try:
        services.report_retry(report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    if request.headers.get("HX-Request"):
        report.refresh_from_db()
        return render(request, "reports/_status.html", {"report": report})
    return redirect("reports:detail", report.pk)


@require_GET
def report_download(request, pk):
    """The file, only through this view (never as public media); each download is recorded."""
    report = _report_for_user(request, pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    agreement = report.agreement
    parties = (agreement.party_a_id, agreement.party_b_id) if agreement else ()
    download_record(
        request=request,
        kind=report.download_kind,
        object_id=report.pk,
        label=report.filename,
        concerns=(report.agency_id, *parties),
    )
    content_type = "application/pdf" if report.format == Report.Format.PDF else "text/csv"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(report.filename),
        content_type=content_type,
    )
