"""Form fields rendered in Python, as crispy's Bootstrap 5 layout renders them: through
crispy's field template each field cost about 0.35 ms (the evaluation form's 40 score and
finding fields: 14 ms of its 45). ``cell``: one field (a formset's row); ``fields``: a form."""

from django import forms, template
from django.utils.html import format_html, format_html_join
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


@register.filter
def fields(form):
    """``form`` whole: its errors not tied to a field, its hidden fields, then each field as
    ``cell`` renders it."""
    errors = form.non_field_errors()
    alert = (
        format_html(
            '<div class="alert alert-danger" role="alert"><ul class="m-0">{}</ul></div>',
            format_html_join("", "<li>{}</li>", ((e,) for e in errors)),
        )
        if errors
        else ""
    )
    hidden = format_html_join("", "{}", ((f,) for f in form.hidden_fields()))
    visible = format_html_join("", "{}", ((cell(f),) for f in form.visible_fields()))
    return format_html("{}{}{}", alert, hidden, visible)
