from django import template
from django.utils import timezone

from volunteers.eligibility import age_on

register = template.Library()


@register.filter
def age(birth_date, on=None):
    """Whole years on ``on`` (default: today)."""
    if birth_date is None:
        return ""
    return age_on(birth_date, on or timezone.localdate())
