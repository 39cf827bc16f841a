from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from volunteers.eligibility import age_on

register = template.Library()


@register.filter
def age(birth_date, on=None):
    """Whole years on ``on`` (default: today)."""
    if birth_date is None:
        return ""
    return age_on(birth_date, on or timezone.localdate())


@register.simple_tag
def eligibility_badge(eligible: bool) -> str:
    """The "eligible / not eligible" badge (a tag: it is drawn on every row of the list)."""
    if eligible:
        return format_html(
            '<span class="badge badge-eligible" data-testid="eligibility-badge">{}</span>',
            _("Eligible"),
        )
    return format_html(
        '<span class="badge badge-ineligible" data-testid="eligibility-badge">{}</span>',
        _("Not eligible"),
    )
