"""Display helpers for agreements: their state badge, and their canonical rendering
(``exchanges.versions``)."""

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agencies.themes import THEME_LABELS
from exchanges.models import AgreementStatus

register = template.Library()


@register.filter
def substance_value(value, field=""):
    """A value of a version's substance, readable: theme labels, local dates, a dash for none."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "themes":
        return ", ".join(str(THEME_LABELS.get(code, code)) for code in value)
    if field.startswith("dates."):
        return date_format(datetime.date.fromisoformat(value))
    return value


@register.filter
def theme_label(code):
    return THEME_LABELS.get(code, code)


@register.filter
def short_hash(sha256):
    return sha256[:12] if sha256 else ""


STATE_CSS = {
    "active": "text-bg-success",
    "approved": "text-bg-primary",
    "submitted": "text-bg-warning",
    "suspended": "text-bg-danger",
    "terminated": "text-bg-dark",
}


@register.simple_tag
def state_badge(agreement) -> str:
    """The agreement's phase, and whether a change awaits approval (a tag: drawn on every row
    of the list, where an include would cost a template per row)."""
    phase = agreement.phase
    badge = format_html(
        '<span class="badge {}" data-testid="state">{}</span>',
        STATE_CSS.get(phase, "text-bg-secondary"),
        AgreementStatus(phase).label,
    )
    if agreement.has_pending_changes and phase not in (
        AgreementStatus.SUBMITTED,
        AgreementStatus.DRAFT,
    ):
        badge += format_html(
            ' <span class="badge text-bg-warning" data-testid="pending">{}</span>',
            _("Changes awaiting approval"),
        )
    return badge
