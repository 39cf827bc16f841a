"""Who did something, shown the same way everywhere, a deleted user included.

The foreign keys to users are ``SET_NULL`` wherever a record must outlive its author (versions,
approvals, placements' decisions, history rows, reports, imports, exports): the record stays,
and the page that shows it names a missing person "deleted user" instead of failing.
"""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def person_name(user) -> str:
    """The user's full name, else their user name; "deleted user" when there is none."""
    if user is None or user == "":
        return _("deleted user")
    return user.get_full_name() or user.get_username()


@register.filter
def person(user) -> str:
    """``{{ version.created_by|person }}``: see ``person_name``."""
    return person_name(user)
