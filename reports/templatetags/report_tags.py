"""A report's status: a badge, and the download link, the retry button or the htmx polling."""

from html import escape

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.links import around_key, pk_url
from core.templatetags.people import person_name
from reports.models import Report
from reports.services import DESCRIBERS, report_describe

register = template.Library()


@register.filter
def css_string(value) -> str:
    """``value`` as the inside of a double-quoted CSS string (``content: "…"`` of a PDF's page
    footer). Inside ``<style>`` HTML entities are not decoded, so HTML escaping would print
    ``&amp;`` and ``&#x27;`` as they are: every character but letters, digits and spaces is
    written as a CSS escape instead (``\\26 `` for ``&``), which also keeps a ``"`` or a
    ``</style>`` in a name from ending the string or the style sheet."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(value))
    return mark_safe(escaped)  # noqa: S308 -- only letters, digits, spaces and CSS escapes


def _may_retry(context, report: Report) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and user.has_perm("vir.retry_report", report)


def _h(value) -> str:
    """``value`` escaped for HTML text or a double-quoted attribute."""
    return escape(str(value))


@register.simple_tag(takes_context=True)
def report_status(context, report: Report) -> str:
    """A tag rather than an include, written with f-strings rather than ``format_html``: the
    reports page draws one on each of its 50 rows."""
    status = report.status
    label = _h(report.get_status_display())
    if status == Report.Status.DONE:
        download = pk_url("reports:download", report.pk)
        size = _h(f"{_('Download')} ({report.get_format_display()}, {filesizeformat(report.size)})")
        inner = (
            f'<span class="badge text-bg-success">{label}</span> <a class="btn btn-sm'
            f' btn-primary ms-2" href="{download}">{size}</a>'
        )
    elif status == Report.Status.FAILED and not _may_retry(context, report):
        inner = (
            f'<span class="badge text-bg-danger">{label}</span>'
            f' <span class="text-danger small ms-2">{_h(report.error)}</span>'
        )
    elif status == Report.Status.FAILED:
        retry = pk_url("reports:retry", report.pk)
        inner = (
            f'<span class="badge text-bg-danger">{label}</span>'
            f' <span class="text-danger small ms-2">{_h(report.error)}</span>'
            f' <form method="post" action="{retry}" class="d-inline ms-2" hx-post="{retry}"'
            f' hx-target="#report-status-{report.pk}" hx-swap="outerHTML">'
            '<input type="hidden" name="csrfmiddlewaretoken"'
            f' value="{_h(context.get("csrf_token", ""))}">'
            f'<button class="btn btn-sm btn-outline-danger" type="submit">{_h(_("Retry"))}</button>'
            "</form>"
        )
    else:
        inner = (
            f'<span class="badge text-bg-secondary">{label}</span> <span class="spinner-border'
            ' spinner-border-sm ms-1" role="status" aria-hidden="true"></span>'
        )
    polling = ""
    if status in (Report.Status.QUEUED, Report.Status.RUNNING):
        polling = (
            f' hx-get="{pk_url("reports:status", report.pk)}" hx-trigger="load delay:1s"'
            ' hx-swap="outerHTML"'
        )
    return mark_safe(  # noqa: S308 -- every value written above is escaped or a route
        f'<div id="report-status-{report.pk}" data-testid="report-status"'
        f' data-status="{_h(status)}"{polling}>{inner}</div>'
    )


@register.simple_tag(takes_context=True)
def report_rows(context, reports) -> str:
    """The rows of the reports list, written in Python like its status cells: fifty rows
    through the template engine were 8.7 ms of the page's 29 (docs/performance.md). Every
    value is escaped."""
    head, tail = around_key("reports:detail")
    rows = []
    for r in reports:
        title = _h(r.get_kind_display())
        if r.evaluation:
            title += f" — {_h(r.evaluation.title)} (v{_h(r.evaluation.version)})"
        if r.agreement:
            agreement = r.agreement
            scope = (
                f"{_h(agreement.reference)} ({_h(agreement.party_a.acronym)} ⇄ "
                f"{_h(agreement.party_b.acronym)})"
            )
        elif r.programme:
            scope = _h(r.programme.name)
        else:
            scope = _h((r.agency.acronym if r.agency else "") or "–")
        if r.kind in DESCRIBERS and (lines := report_describe(r, short=True)):
            # A report of some cohorts or with a chosen threshold says so (no query: the row's
            # own fields).
            scope += (
                '<div class="small text-body-secondary" data-testid="report-parameters">'
                f"{_h(' '.join(lines))}</div>"
            )
        requested = _h(date_format(timezone.localtime(r.created_at), "SHORT_DATETIME_FORMAT"))
        if r.requested_by_id or not r.scheduled_for:
            requested += f" — {_h(person_name(r.requested_by))}"
        rows.append(
            f'<tr><td><a href="{_h(head)}{int(r.pk)}{_h(tail)}">{title}</a></td>'
            f"<td>{scope}</td>"
            '<td><span class="badge text-bg-light border" data-testid="report-format">'
            f"{_h(r.get_format_display())}</span></td>"
            f"<td>{_h(r.get_language_display())}</td>"
            f'<td class="text-nowrap">{requested}</td>'
            f"<td>{report_status(context, r)}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 -- every value written above is escaped
