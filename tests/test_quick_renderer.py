"""core.widgets.QuickRenderer: inputs and text areas written in Python are the markup Django's
widget templates give, byte for byte, whatever the value, the attributes and the language."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from core.widgets import QuickRenderer

WIDGETS = [
    forms.TextInput(attrs={"placeholder": "Nom « d’usage » & <b>", "maxlength": 200}),
    forms.NumberInput(attrs={"min": 0, "max": 120, "step": "any"}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.Textarea(attrs={"rows": 2}),
]
VALUES = [None, "", 0, 7, "O'Brien \"&\" <script>", mark_safe("<i>safe</i>"), True, False,
          datetime.date(2026, 12, 5), "ligne 1\nligne 2"]  # fmt: skip
ATTRS = [{}, {"id": "id_x", "required": True, "disabled": False, "aria-invalid": "true"},
         {"class": "form-control is-invalid", "data-x": None}]  # fmt: skip


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_markup_is_djangos(widget, language):
    ours, djangos = QuickRenderer(), DjangoTemplates()
    assert ours._written_here  # the fast way is taken, not the templates
    with translation.override(language):
        for value in VALUES:
            for attrs in ATTRS:
                expected = widget.render("field", value, attrs, renderer=djangos)
                assert widget.render("field", value, attrs, renderer=ours) == expected


def test_other_widgets_keep_their_templates():
    select = forms.Select(choices=[("a", "A & B")])
    assert select.render("s", "a", renderer=QuickRenderer()) == select.render(
        "s", "a", renderer=DjangoTemplates()
    )


def test_the_forms_of_the_platform_use_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), QuickRenderer)


@pytest.mark.parametrize("language", ["fr", "en", "es"])
@pytest.mark.parametrize("value", [None, "", "TG", "CI", ["ML"], "XX"])
def test_the_countries_written_once_per_language_are_djangos_select(language, value):
    """``CountrySelect`` keeps the countries' markup per language: it is ``QuickSelect``'s of
    the same choices, whose options are Django's own, with the chosen country marked."""
    from core.widgets import CountrySelect, QuickSelect, country_choices

    attrs = {"id": "id_nationality", "class": "form-select", "required": True}
    with translation.override(language):
        choices = [("", "---------"), *country_choices()]
        quick = CountrySelect(choices=choices).render("nationality", value, attrs)
        assert quick == QuickSelect(choices=choices).render("nationality", value, attrs)
        django = forms.Select(choices=choices).render(
            "nationality", value, attrs, renderer=DjangoTemplates()
        )
        options = django.split(">", 1)[1].replace("\n", "").replace("  <option", "<option")
        assert quick.split(">", 1)[1] == options
        chosen = value[0] if isinstance(value, list) else value
        assert (f'value="{chosen}" selected' in quick) == (chosen in ("TG", "CI", "ML", ""))


@pytest.mark.parametrize("value", [None, "", "candidate", ["withdrawn"], "XX"])
def test_code_choices_written_once_per_language_are_quickselects(value):
    """``CodeSelect`` keeps its options' markup per language, shared by its copies (Django
    copies a widget for each form): in every language, after another, it is ``QuickSelect``'s
    of the same choices, with the chosen one marked."""
    import copy

    from core.widgets import CodeSelect, QuickSelect
    from volunteers.models import Volunteer

    choices = [("", "---------"), *Volunteer.Status.choices]
    declared = CodeSelect(choices=choices)
    attrs = {"id": "id_status", "class": "form-select"}
    for language in ["fr", "en", "es", "fr"]:
        with translation.override(language):
            quick = copy.deepcopy(declared).render("status", value, attrs)
            assert quick == QuickSelect(choices=choices).render("status", value, attrs)
    assert set(declared.markup) == {"fr", "en", "es"}
    other = CodeSelect(choices=[("a", "A")])  # another declaration: its own options
    assert (
        other.render("status", "a", {})
        == '<select name="status"><option value="a" selected>A</option></select>'
    )
