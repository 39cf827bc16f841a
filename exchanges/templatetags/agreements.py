"""Display helpers for the canonical rendering of an agreement (``exchanges.versions``)."""

import datetime

from django import template
from django.utils.formats import date_format

from exchanges.themes import THEME_LABELS

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
