def acting_agency(request):
    membership = getattr(request, "membership", None)
    return {
        "acting_membership": membership if membership else None,
        "memberships": getattr(request, "memberships", []),
    }
