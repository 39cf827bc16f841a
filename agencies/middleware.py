from . import rules as access

SESSION_KEY = "acting_agency_id"


def acting_membership(request, memberships):
    """The membership the page acts for: the one chosen in the switcher, else the first one."""
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.agency_id == chosen:
            return membership
    return memberships[0] if memberships else None


class ActingAgencyMiddleware:
    """Sets ``request.memberships`` (a list) and ``request.membership`` (the acting one, or
    None): plain values, read in one query for the views that need a login. The others
    (``/healthz``, the login page) touch neither the session's user nor the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships, request.membership = [], None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "login_required", True) and request.user.is_authenticated:
            request.memberships = access.memberships_of(request.user)
            request.membership = acting_membership(request, request.memberships)
