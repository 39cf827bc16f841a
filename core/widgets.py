"""Form widgets rendered in Python where Django's per-option templates are too slow.

A ``<select>`` of the 250 countries costs about 35 ms through Django's option templates; the
same markup built here costs well under a millisecond. Same HTML, same attributes.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_countries import countries
from django_filters.fields import ModelChoiceIterator as FilterChoiceIterator


def _text(value) -> str:
    """Escaped like Django's ``conditional_escape``: safe strings stay as they are."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


class QuickSelect(forms.Select):
    """``forms.Select`` whose options are built in Python (one level of option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = self._options(self._option_rows(), selected)
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)

    def _option_rows(self):
        choices = self.choices
        if type(choices) is ModelChoiceIterator or (
            # django-filters' adds a "null" choice, when it has one
            type(choices) is FilterChoiceIterator and choices.field.null_label is None
        ):
            # Django iterates model choices with ``.iterator()``: on PostgreSQL a server-side
            # cursor and a round trip per chunk. A plain query is faster for a select's rows.
            field = choices.field
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            return [*empty, *(choices.choice(obj) for obj in choices.queryset)]
        return choices

    def _options(self, choices, selected):
        parts = []
        for value, label in choices:
            if isinstance(label, (list, tuple)):
                inner = self._options(label, selected)
                parts.append(f'<optgroup label="{_text(value)}">{inner}</optgroup>')
                continue
            value = "" if value is None else str(value)
            mark = " selected" if value in selected else ""
            parts.append(f'<option value="{escape(value)}"{mark}>{_text(label)}</option>')
        return mark_safe("".join(parts))  # noqa: S308 -- every value and label escaped above


class _ColumnChoices(ModelChoiceIterator):
    """A model select's choices as ``(pk, column)`` rows: no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.label_column)


def quick_model_choices(field: forms.ModelChoiceField, queryset, label_column: str):
    """Let ``field`` offer ``queryset`` labelled by one of its columns, rendered by
    ``QuickSelect``: thousands of options (an agency's agreements) in a few milliseconds."""
    field.widget = QuickSelect(attrs=field.widget.attrs)
    field.iterator, field.label_column = _ColumnChoices, label_column
    field.queryset = queryset  # also hands the choices to the widget
    return field


def quick_selects(form: forms.BaseForm) -> forms.BaseForm:
    """Every plain ``Select`` of ``form`` rendered by ``QuickSelect`` (same choices, same
    attributes): forms repeated in a formset multiply their options."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            widget = QuickSelect(attrs=field.widget.attrs)
            widget.choices, widget.is_required = field.widget.choices, field.widget.is_required
            field.widget = widget
    return form


def _mark_selected(markup: str, selected: set[str]) -> str:
    """``markup`` (options written unselected) with the options of ``selected`` marked."""
    for value in selected:
        option = f'<option value="{escape(value)}">'
        markup = markup.replace(option, f'<option value="{escape(value)}" selected>', 1)
    return markup


class PerLanguage(dict):
    """A widget declaration's options markup by language, shared by the copies Django makes of
    the widget for each form (a deep copy returns it as it is)."""

    def __deepcopy__(self, memo):
        return self


class CodeSelect(QuickSelect):
    """A select whose choices are written in the code (statuses, languages, sorts): its options
    are written once per language for each declaration of the widget, then the chosen ones
    marked in them. Declare it as an instance (``widget=CodeSelect()``): each instance keeps
    the markup of its own choices. Never for choices read from the database."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.markup = PerLanguage()

    def _options(self, choices, selected):
        language = get_language() or ""
        markup = self.markup.get(language)
        if markup is None:
            markup = self.markup[language] = super()._options(choices, set())
        return mark_safe(_mark_selected(markup, selected))  # noqa: S308 -- escaped by _options


@lru_cache(maxsize=8)
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, str(name)) for code, name in countries)


def country_choices() -> tuple[tuple[str, str], ...]:
    """The countries sorted by their name in the active language, computed once per language."""
    return _countries(get_language() or "")


@lru_cache(maxsize=8)
def _country_options(language: str) -> str:
    return "".join(
        f'<option value="{escape(code)}">{escape(name)}</option>'
        for code, name in _countries(language)
    )


class CountrySelect(QuickSelect):
    """A select of the countries (``country_choices``) after a blank choice: the countries'
    markup is written once per language (it is code, not data: nothing to go stale), the
    chosen one marked in it. Its choices must be the blank one and ``country_choices()``."""

    def _options(self, choices, selected):
        blank = next(iter(choices), None)
        head = super()._options([blank], selected) if blank and blank[0] in ("", None) else ""
        markup = _mark_selected(_country_options(get_language() or ""), selected - {""})
        return mark_safe(head + markup)  # noqa: S308 -- escaped by _options and _country_options


def quick_countries(form: forms.BaseForm, *names: str) -> forms.BaseForm:
    """The country fields ``names`` of ``form``: the 250 countries sorted once per language and
    written once per language (``CountrySelect``), where django-countries sorts them on every
    form and Django renders a template per option (20 ms a select)."""
    for name in names:
        field = form.fields[name]
        field.choices = [BLANK_CHOICE_DASH[0], *country_choices()]
        field.widget = CountrySelect(attrs=field.widget.attrs, choices=field.choices)
        field.widget.is_required = field.required
    return form


def style_fields(form: forms.Form) -> forms.Form:
    """Bootstrap classes on the widgets of a form drawn field by field (filter bars)."""
    for name, field in form.fields.items():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        field.widget.attrs["class"] = css
    return form


# --- Plain inputs and text areas, written in Python by the form renderer ---------------------

_FORMS_TEMPLATES = str(Path(forms.__file__).parent / "templates")
_INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "number", "email", "url", "password", "hidden", "date",
                 "datetime", "time", "search", "tel", "color", "checkbox")
}  # fmt: skip
_TEXTAREA = "django/forms/widgets/textarea.html"


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: in order, ``False`` left out, ``True`` bare."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


class QuickRenderer(DjangoTemplates):
    """Django's form renderer, with plain inputs and text areas written in Python: the same
    markup as Django's widget templates (``input.html``, ``textarea.html``), about a tenth of
    their cost (the evaluation form's 58 inputs: 6 ms). A template that an app overrides is
    rendered as it is (``_written_here``); every other widget goes through its template."""

    def render(self, template_name, context, request=None):
        if template_name in self._written_here:
            write = _textarea if template_name == _TEXTAREA else _input
            return mark_safe(write(context["widget"]))  # noqa: S308 -- every part escaped
        return super().render(template_name, context, request)

    @cached_property
    def _written_here(self) -> frozenset[str]:
        return frozenset(
            name
            for name in (*_INPUTS, _TEXTAREA)
            if str(self.get_template(name).origin.name).startswith(_FORMS_TEMPLATES)
        )
