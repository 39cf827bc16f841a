"""Display helpers for agreements: their state badge, and their canonical rendering
(``exchanges.versions``)."""

import datetime
from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from agencies.themes import THEME_LABELS
from core.links import around_key
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


@register.simple_tag
def agreement_rows(agreements) -> str:
    """The rows of the agreement list, written in Python: fifty rows through the template
    engine were 8.3 ms of the administrator's page of 26 (docs/performance.md). Every value is
    escaped."""
    label = {
        name: escape(text)
        for name, text in (
            ("title", _("Title")),
            ("parties", _("Parties")),
            ("period", _("Period")),
            ("themes", _("Themes")),
            ("places", _("Places each way")),
            ("status", _("Status")),
        )
    }
    head, tail = map(escape, around_key("exchanges:detail"))
    rows = []
    for a in agreements:
        party_a, party_b = escape(a.party_a.acronym), escape(a.party_b.acronym)
        themes = "".join(
            '<span class="badge text-bg-light border text-wrap text-start me-1">'
            f"{escape(str(t))}</span>"
            for t in a.themes.all()
        )
        period = (
            f"{escape(date_format(a.start_date, 'SHORT_DATE_FORMAT'))} – "
            f"{escape(date_format(a.end_date, 'SHORT_DATE_FORMAT'))}"
        )
        rows.append(
            f'<tr><td><a href="{head}{int(a.pk)}{tail}">{escape(a.reference)}</a></td>'
            f'<td data-label="{label["title"]}">{escape(a.title)}</td>'
            f'<td data-label="{label["parties"]}">{party_a} ⇄ {party_b}</td>'
            f'<td class="text-sm-nowrap" data-label="{label["period"]}">{period}</td>'
            f'<td data-label="{label["themes"]}">{themes}</td>'
            f'<td class="text-sm-end text-sm-nowrap" data-label="{label["places"]}" '
            f'title="{party_a} → {party_b} / {party_b} → {party_a}">'
            f"{escape(str(a.places_a_to_b))} / {escape(str(a.places_b_to_a))}</td>"
            f'<td data-label="{label["status"]}">{state_badge(a)}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 -- every value written above is escaped
