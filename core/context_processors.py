from django.conf import settings

from .csv import DELIMITER_CHOICES


def acting_agency(request):
    membership = getattr(request, "membership", None)
    return {
        "acting_membership": membership if membership else None,
        "memberships": getattr(request, "memberships", []),
    }


def site(request):
    """The site's name (titles, e-mails) and the CSV separators offered by the forms.
    ``platform_name`` is the same name for the layout: Django's login and password views put
    the request's host in their own ``site_name``, which would otherwise become the brand."""
    return {
        "site_name": settings.SITE_NAME,
        "platform_name": settings.SITE_NAME,
        "csv_delimiter_choices": DELIMITER_CHOICES,
    }
