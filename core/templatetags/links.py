"""``{{ partner.pk|pk_url:"agencies:detail" }}``: the link of a listed row (``core.links``)."""

from django import template

from core.links import pk_url as link

register = template.Library()


@register.filter
def pk_url(pk, name: str) -> str:
    return link(name, pk)
