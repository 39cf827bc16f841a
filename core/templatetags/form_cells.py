"""Form fields rendered in Python, as crispy's Bootstrap 5 layout renders them: through
crispy's field template each field cost about 0.35 ms (the evaluation form's 40 score and
finding fields: 14 ms of its 45). ``cell``: one field (a formset's row); ``fields``: a form."""

from crispy_forms.templatetags.crispy_forms_filters import (
    as_crispy_field,
    as_crispy_form,
    optgroups,
)
from django import forms, template
from django.conf import settings
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _css(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.filter
def cell(field, label: str = "shown"):
    """``field``: its label, its widget with Bootstrap's classes (``is-invalid`` when it has
    errors), its errors and help text. ``label="hidden"``: the label for screen readers only,
    for a table cell under its column's header."""
    widget = field.field.widget
    classes = [*widget.attrs.get("class", "").split(), _css(widget)]
    if field.errors:
        classes.append("is-invalid")
    control = field.as_widget(attrs={"class": " ".join(dict.fromkeys(classes))})
    errors = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
    )
    help_text = (
        format_html('<div class="form-text">{}</div>', field.help_text) if field.help_text else ""
    )
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return _choices(field, errors, help_text)
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="form-check mb-2">{}<label class="form-check-label" for="{}">{}</label>'
            "{}{}</div>",
            control, field.id_for_label, field.label, errors, help_text,
        )  # fmt: skip
    return format_html(
        '<div class="mb-2"><label class="form-label{}" for="{}">{}{}</label>{}{}{}</div>',
        " visually-hidden" if label == "hidden" else "",
        field.id_for_label,
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if field.field.required else "",
        control,
        errors,
        help_text,
    )


def _choices(field, errors, help_text):
    """Checkboxes or radio buttons, one per choice, in a fieldset named by the label."""
    field.field.widget.attrs["class"] = "form-check-input"  # each form has its own widgets
    options = format_html_join(
        "",
        '<div class="form-check">{}<label class="form-check-label" for="{}">{}</label></div>',
        ((option.tag(), option.id_for_label, option.choice_label) for option in field.subwidgets),
    )
    return format_html(
        '<fieldset class="mb-2"><legend class="form-label fs-6">{}</legend>{}{}{}</fieldset>',
        field.label, options, errors, help_text,
    )  # fmt: skip


def _non_field_alert(form, css: str, *, role: bool) -> str:
    """The form's errors not tied to a field, listed in an alert of classes ``css`` (with
    ``role="alert"`` if ``role``); "" when there are none."""
    errors = form.non_field_errors()
    if not errors:
        return ""
    items = format_html_join("", "<li>{}</li>", ((e,) for e in errors))
    return format_html(
        '<div class="{}"{}><ul class="m-0">{}</ul></div>',
        css, mark_safe(' role="alert"') if role else "", items,
    )  # fmt: skip


@register.filter
def fields(form):
    """``form`` whole: its errors not tied to a field, its hidden fields, then each field as
    ``cell`` renders it."""
    alert = _non_field_alert(form, "alert alert-danger", role=True)
    hidden = format_html_join("", "{}", ((f,) for f in form.hidden_fields()))
    visible = format_html_join("", "{}", ((cell(f),) for f in form.visible_fields()))
    return format_html("{}{}{}", alert, hidden, visible)


# --- crispy's own field markup, written here --------------------------------------------------

_CRISPY_CLASSES = (
    (forms.CheckboxInput, "form-check-input"),
    (forms.Select, "form-select"),
    (forms.Widget, "form-control"),
)


def _crispy_class(widget, classes: str) -> None:
    """What crispy's ``{% crispy_field %}`` does to the widget's ``class``: the widget's own
    class name, then Bootstrap's, each added once."""
    name = type(widget).__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css = widget.attrs.get("class", "")
    css = (css if name in css else f"{css} {name}") if css else name
    for one in classes.split():
        if one not in css.split():
            css += " " + one
    widget.attrs["class"] = css


def _errors(field) -> str:
    """crispy's ``field_errors_block.html``, with the id the widget's ``aria-describedby``
    names."""
    if not field.errors:
        return ""
    field_id = getattr(field.errors, "field_id", None) or field.auto_id
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((n, field.auto_id, e) for n, e in enumerate(field.errors, start=1)),
        ),
    )


def _help(field) -> str:
    """crispy's ``help_text.html``."""
    if not field.help_text:
        return ""
    ident = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
    # Help text is the code's: shown as it is, as crispy's template (and Django's) do.
    text = mark_safe(field.help_text)  # noqa: S308
    return format_html('<div {}class="form-text">{}</div>', ident, text)


def _help_and_errors(field) -> str:
    """crispy's ``help_text_and_errors.html``: the errors, then the help text."""
    return format_html("{}{}", _errors(field), _help(field))


def _attributes(attrs: dict, *, leave: str = "") -> str:
    """crispy's ``attrs.html``: each attribute but ``leave``, ``False`` left out, ``True`` bare."""
    return mark_safe(  # noqa: S308 -- each name and value escaped
        "".join(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
            for name, value in attrs.items()
            if value is not False and name != leave
        )
    )


def _file(field):
    """crispy's ``field_file.html``, for a file input without a current file (None: left to
    crispy, which draws the current file and its "clear" box)."""
    parts = []
    for sub in field.subwidgets:
        data = sub.data
        if data.get("is_initial"):
            return None
        extra = data["attrs"].get("class")
        css = (
            "form-control"
            + (f" {extra}" if extra else "")
            + (" is-invalid" if field.errors else "")
        )
        parts.append(
            format_html(
                '<div{}><input type="{}" name="{}" class="{}"{}{}>{}</div>',
                mark_safe(' class="is-invalid"') if field.errors else "",
                data["type"], data["name"], css,
                mark_safe(" disabled") if field.field.disabled else "",
                _attributes(data["attrs"], leave="class"), _help_and_errors(field),
            )
        )  # fmt: skip
    return mark_safe("".join(parts))  # noqa: S308 -- each part written by format_html


def _boxes(field):
    """crispy's ``radio_checkbox_select.html``: a box per choice, the errors after the last."""
    invalid = " is-invalid" if field.errors else ""
    groups = optgroups(field)
    rows = []
    for g, (group, options, _index) in enumerate(groups, start=1):
        if group:
            rows.append(format_html("<strong>{}</strong>", group))
        for n, option in enumerate(options, start=1):
            last = field.errors and n == len(options) and g == len(groups)
            rows.append(
                format_html(
                    '<div class="form-check"><input type="{}" class="form-check-input{}" '
                    'name="{}" value="{}"{}><label for="{}" class="form-check-label">{}</label>'
                    "{}</div>",
                    option["type"], invalid, field.html_name, str(option["value"]),
                    _attributes(option["attrs"]), option["attrs"].get("id", ""),
                    str(option["label"]), _errors(field) if last else "",
                )
            )  # fmt: skip
    return format_html("<div>{}</div>{}", mark_safe("".join(rows)), _help(field))  # noqa: S308


@register.filter
def crispy_field(field):
    """``field|as_crispy_field`` (Bootstrap 5, no form helper) with the same markup, written in
    Python: through crispy's templates a field cost about 1 ms, more than half of the volunteer
    form's time. Held to crispy's output by ``tests/test_form_cells.py``; what it does not
    write (radio buttons, several widgets, a current file, a form with a helper) goes through
    crispy."""
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    boxes = isinstance(widget, forms.CheckboxSelectMultiple)
    if (
        getattr(field.form, "helper", None) is not None
        or (isinstance(widget, forms.RadioSelect | forms.MultiWidget) and not boxes)
        or hasattr(widget, "widget")
        or field.use_fieldset != boxes
        or (boxes and not field.label)
    ):
        return as_crispy_field(field)
    required = field.field.required
    star = mark_safe('<span class="asteriskField">*</span>') if required else ""
    required_class = " requiredField" if required else ""
    css = field.css_classes()
    css = f" {css}" if css else ""
    if boxes:
        described = getattr(field, "aria_describedby", None)
        return format_html(
            '<div id="div_{}" class="mb-3{}"><fieldset{}><legend class="form-label{} fs-6">'
            "{}{}</legend>{}</fieldset></div>",
            field.auto_id, css,
            format_html(' aria-describedby="{}"', described) if described else "",
            required_class, field.label, star, _boxes(field),
        )  # fmt: skip
    label = ""
    if field.label and not isinstance(widget, forms.CheckboxInput):
        target = format_html('for="{}" ', field.id_for_label) if field.id_for_label else ""
        label = format_html(
            '<label {}class="form-label{}">{}{}</label>', target, required_class, field.label, star
        )
    if isinstance(widget, forms.FileInput):
        control = _file(field)
        if control is None:
            return as_crispy_field(field)
        return format_html(
            '<div id="div_{}" class="mb-3{}">{}{}</div>', field.auto_id, css, label, control
        )
    invalid = " is-invalid" if field.errors else ""
    kind = next(css for kind, css in _CRISPY_CLASSES if isinstance(widget, kind))
    _crispy_class(widget, kind + invalid)
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}'
            '<label for="{}" class="form-check-label{}">{}{}</label>{}</div></div>',
            field.auto_id, css, str(field), field.id_for_label,
            required_class, field.label, star, _help_and_errors(field),
        )  # fmt: skip
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        field.auto_id, css, label, str(field), _help_and_errors(field),
    )  # fmt: skip


@register.filter
def crispy_form(form):
    """``form|crispy`` (Bootstrap 5, no form helper) with the same markup: the errors not tied
    to a field, then each field as ``crispy_field`` writes it."""
    if getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    alert = _non_field_alert(form, "alert alert-block alert-danger", role=False)
    return format_html(
        "{}{}", alert, format_html_join("", "{}", ((crispy_field(f),) for f in form))
    )
