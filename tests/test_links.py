"""core/links.py: a row's link written from its key is the link ``reverse`` gives."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from core.links import pk_url

NAMES = ["agencies:detail", "volunteers:detail", "missions:detail", "reports:detail"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 10, 123456789])
def test_the_link_is_the_reversed_one(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_the_script_prefix_is_followed():
    try:
        set_script_prefix("/vir/")
        assert (
            pk_url("agencies:detail", 3)
            == "/vir/agencies/3/"
            == reverse("agencies:detail", args=[3])
        )
    finally:
        set_script_prefix("/")
    assert pk_url("agencies:detail", 3) == "/agencies/3/"


def test_a_route_without_one_integer_key_is_refused():
    with pytest.raises(Exception):  # noqa: B017 - NoReverseMatch or ValueError, never a link
        pk_url("volunteers:index", 3)
    with pytest.raises(ValueError):
        pk_url("agencies:detail", "3/../../admin")


def test_the_filter_writes_the_link():
    html = Template('{% load links %}<a href="{{ 5|pk_url:"agencies:detail" }}">').render(Context())
    assert html == f'<a href="{reverse("agencies:detail", args=[5])}">'
