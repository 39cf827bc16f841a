"""The colour of a status badge, the same for every object with a status (missions, placements)."""

from django import template

register = template.Library()

BADGE_CLASSES = {
    "confirmed": "text-bg-success",
    "open": "text-bg-success",
    "nominated": "text-bg-warning",
    "draft": "text-bg-warning",
    "deployed": "text-bg-primary",
    "in_progress": "text-bg-primary",
    "completed": "text-bg-secondary",
    "filled": "text-bg-secondary",
}


@register.filter
def badge_class(status) -> str:
    """``<span class="badge {{ status|badge_class }}">``: a filter, not an include, so a page
    with a badge per row does not render a template per row."""
    return BADGE_CLASSES.get(status, "text-bg-light border")
