"""``{{ name|of }}`` → "d’Akouvi" / "of Akouvi", ``{{ agency.acronym|of_agency }}`` → "de l’ANVT"
(``core.texts``); ``|absolute`` for
counts shown with their sign but agreed as numbers (``ngettext`` needs a count ≥ 0);
``{% year_bounds as years %}`` for a year input's limits."""

from django import template

from core.dates import EARLIEST, latest
from core.texts import of as of_name
from core.texts import of_agency as of_agency_name

register = template.Library()


@register.filter
def of(name) -> str:
    return of_name(name)


@register.filter
def of_agency(acronym) -> str:
    return of_agency_name(acronym)


@register.filter
def absolute(number):
    try:
        return abs(number)
    except TypeError:
        return number


@register.simple_tag
def year_bounds() -> dict:
    """``{% year_bounds as years %}``: the years a form accepts (``core.dates.validate_year``),
    for an input's ``min`` and ``max``, so that the browser says so before sending."""
    return {"first": EARLIEST.year, "last": latest().year}
