"""``{{ agency.acronym|of }}`` → "de l’ANVT" / "of ANVT" (``core.texts.of``); ``|absolute`` for
counts shown with their sign but agreed as numbers (``ngettext`` needs a count ≥ 0)."""

from django import template

from core.texts import of as of_name

register = template.Library()


@register.filter
def of(name) -> str:
    return of_name(name)


@register.filter
def absolute(number):
    try:
        return abs(number)
    except TypeError:
        return number
