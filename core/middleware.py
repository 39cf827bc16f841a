from django.utils.functional import SimpleLazyObject

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


def _memberships(request):
    from agencies.models import Membership

    if not request.user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=request.user, agency__is_active=True)
        .select_related("agency")
        .order_by("agency__acronym")
    )


class ActingAgencyMiddleware:
    """Sets ``request.memberships`` and ``request.membership`` (lazily: no query if unused)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = SimpleLazyObject(lambda: _memberships(request))
        request.membership = SimpleLazyObject(lambda: _acting_membership(request))
        return self.get_response(request)
