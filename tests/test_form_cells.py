"""core/templatetags/form_cells.py: forms drawn in Python with the markup crispy gave them."""

from django import forms
from django.template import Context, Template


class Sample(forms.Form):
    name = forms.CharField(label="Nom", help_text="Le nom d’usage.")
    kind = forms.ChoiceField(label="Type", choices=[("a", "A"), ("b", "B")])
    themes = forms.MultipleChoiceField(
        label="Thèmes", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label="Actif", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Rien ne va.")


def render(form) -> str:
    return Template("{% load form_cells %}{{ form|fields }}").render(Context({"form": form}))


def test_a_form_is_drawn_with_its_labels_classes_errors_and_help():
    html = render(Sample({"kind": "z", "themes": ["y"], "token": "t"}))
    assert '<div class="alert alert-danger" role="alert"><ul class="m-0"><li>Rien ne va.' in html
    assert '<input type="hidden" name="token" value="t" id="id_token">' in html
    assert '<label class="form-label" for="id_name">Nom<span class="asteriskField">*' in html
    assert 'class="form-control is-invalid"' in html and 'class="form-select is-invalid"' in html
    assert '<div class="form-text">Le nom d’usage.</div>' in html
    assert html.count('<div class="invalid-feedback d-block">') == 2  # name, kind
    assert '<legend class="form-label fs-6">Thèmes</legend>' in html
    assert 'value="y" class="form-check-input" id="id_themes_1" checked>' in html
    assert '<label class="form-check-label" for="id_themes_0">X</label>' in html
    assert '<label class="form-check-label" for="id_active">Actif</label>' in html


def test_a_cell_can_keep_its_label_for_screen_readers_only():
    html = Template('{% load form_cells %}{{ form.name|cell:"hidden" }}').render(
        Context({"form": Sample()})
    )
    assert '<label class="form-label visually-hidden" for="id_name">Nom' in html
