"""A report's status: a badge, and the download link, the retry button or the htmx polling."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.links import pk_url
from reports.models import Report

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


@register.simple_tag(takes_context=True)
def report_status(context, report: Report) -> str:
    """A tag rather than an include: the reports page draws one on each of its 50 rows."""
    status = report.status
    label = report.get_status_display()
    if status == Report.Status.DONE:
        inner = format_html(
            '<span class="badge text-bg-success">{}</span> <a class="btn btn-sm btn-primary ms-2"'
            ' href="{}">{} ({}, {})</a>',
            label,
            pk_url("reports:download", report.pk),
            _("Download"),
            report.get_format_display(),
            filesizeformat(report.size),
        )
    elif status == Report.Status.FAILED and not _may_retry(context, report):
        inner = format_html(
            '<span class="badge text-bg-danger">{}</span>'
            ' <span class="text-danger small ms-2">{}</span>',
            label,
            report.error,
        )
    elif status == Report.Status.FAILED:
        retry = pk_url("reports:retry", report.pk)
        inner = format_html(
            '<span class="badge text-bg-danger">{}</span>'
            ' <span class="text-danger small ms-2">{}</span>'
            ' <form method="post" action="{}" class="d-inline ms-2" hx-post="{}"'
            ' hx-target="#report-status-{}" hx-swap="outerHTML">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-outline-danger" type="submit">{}</button></form>',
            label,
            report.error,
            retry,
            retry,
            report.pk,
            context.get("csrf_token", ""),
            _("Retry"),
        )
    else:
        inner = format_html(
            '<span class="badge text-bg-secondary">{}</span> <span class="spinner-border'
            ' spinner-border-sm ms-1" role="status" aria-hidden="true"></span>',
            label,
        )
    polling = ""
    if status in (Report.Status.QUEUED, Report.Status.RUNNING):
        polling = format_html(
            ' hx-get="{}" hx-trigger="load delay:1s" hx-swap="outerHTML"',
            pk_url("reports:status", report.pk),
        )
    return format_html(
        '<div id="report-status-{}" data-testid="report-status" data-status="{}"{}>{}</div>',
        report.pk,
        status,
        polling,
        inner,
    )
