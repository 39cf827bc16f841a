from django.utils.functional import SimpleLazyObject

from core import rules as access

SESSION_KEY = "acting_agency_id"


def _acting_membership(request):
    """The membership the page acts for: the one chosen in the switcher, else the first one."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = request.memberships
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.agency_id == chosen:
            return membership
    return memberships[0] if memberships else None


class ActingAgencyMiddleware:
    """Sets ``request.memberships`` and ``request.membership`` (lazily: no query if unused)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = SimpleLazyObject(lambda: access.memberships_of(request.user))
        request.membership = SimpleLazyObject(lambda: _acting_membership(request))
        return self.get_response(request)
