"""A history row's change reason, in the reader's language (``core.history.reason_shown``)."""

from django import template

from core.history import reason_shown

register = template.Library()


@register.filter
def change_reason(stored) -> str:
    """``{{ h.history_change_reason|change_reason }}``."""
    return reason_shown(stored)
