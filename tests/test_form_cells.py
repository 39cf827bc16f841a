"""core/templatetags/form_cells.py: forms drawn in Python with the markup crispy gave them."""

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html


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


# --- crispy_field: crispy's markup, written in Python ------------------------------------------


class Every(forms.Form):
    """Each kind of field the forms draw with ``crispy_field``, and those it leaves to crispy."""

    name = forms.CharField(label="Nom <b>", help_text="Le nom d’usage.", max_length=5)
    email = forms.EmailField(label="Courriel", required=False)
    born = forms.DateField(label="Né le", widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label="Nombre", required=False, min_value=1)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(label="Type", choices=[("a", "A & B"), ("b", "B")])
    many = forms.MultipleChoiceField(label="Plusieurs", choices=[("x", "X")], required=False)
    styled = forms.CharField(
        label="Déjà stylé", required=False, widget=forms.TextInput(attrs={"class": "wide"})
    )
    agree = forms.BooleanField(label="J’accepte", help_text="Obligatoire.")
    optional = forms.BooleanField(label="Facultatif", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)
    upload = forms.FileField(label="Fichier", required=False)
    proof = forms.FileField(
        label="Pièce", help_text="PDF.", widget=forms.FileInput(attrs={"accept": "image/*"})
    )
    boxes = forms.MultipleChoiceField(
        label="Cases",
        choices=[("x", "X & Y"), ("y", "Y")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Plusieurs.",
    )
    radio = forms.ChoiceField(
        label="Radio", choices=[("x", "X")], widget=forms.RadioSelect, required=False
    )


BAD = {
    "name": "<script>x",
    "born": "hier",
    "count": "0",
    "kind": "z",
    "email": "non",
    "boxes": ["zz"],
}


def _crispy(field) -> str:
    return Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}").render(
        Context({"field": field})
    )


def _quick(field) -> str:
    return Template("{% load form_cells %}{{ field|crispy_field }}").render(
        Context({"field": field})
    )


def _same_markup(make_form):
    """Each field of two equal forms, one drawn by crispy and one by ``crispy_field``."""
    theirs, ours = make_form(), make_form()
    for name in theirs.fields:
        assert parse_html(_quick(ours[name])) == parse_html(_crispy(theirs[name])), name


@pytest.mark.parametrize(
    "data", [None, BAD, {"name": "Ama", "agree": "on", "kind": "a", "boxes": ["y"]}]
)
def test_crispy_field_writes_what_crispy_writes(data):
    _same_markup(lambda: Every(data))


def test_crispy_field_writes_the_volunteer_forms_as_crispy_does(db):
    from agencies.models import Agency
    from volunteers.forms import ExperienceForm, LanguageForm, VolunteerForm

    agency = Agency.objects.create(name="Agence", acronym="AG", country="TG")
    for data in (None, {"first_name": "", "email": "x", "birth_date": "2099-01-01"}):
        _same_markup(lambda data=data: VolunteerForm(data, agency=agency))
        _same_markup(lambda data=data: ExperienceForm(data, prefix="experiences-0"))
        _same_markup(lambda data=data: LanguageForm(data, prefix="languages-0"))


def test_crispy_field_escapes_the_label_and_the_errors():
    html = _quick(Every(BAD)["name"])
    assert "Nom &lt;b&gt;" in html and "<script>" not in html


class EveryChecked(Every):
    def clean(self):
        raise forms.ValidationError("Rien ne va <vraiment>.")


@pytest.mark.parametrize("data", [None, BAD])
def test_crispy_form_writes_what_crispy_writes(data):
    theirs = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": EveryChecked(data)})
    )
    ours = Template("{% load form_cells %}{{ form|crispy_form }}").render(
        Context({"form": EveryChecked(data)})
    )
    assert parse_html(ours) == parse_html(theirs)
    assert ("Rien ne va &lt;vraiment&gt;." in ours) == (data is not None)
