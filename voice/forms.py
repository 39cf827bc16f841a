from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import SCORE_CHOICES, HostAssessment, Questionnaire, SupportAction

SCORE_HELP = _("1: poor — 5: excellent")


def _scores(form, fields):
    for name in fields:
        field = form.fields[name]
        field.widget = forms.RadioSelect(attrs={"class": "form-check-inline"})
        field.choices = SCORE_CHOICES
        field.required = False
        field.help_text = SCORE_HELP


class QuestionnaireForm(forms.ModelForm):
    """Every answer may stay empty while the questionnaire is a draft; the service requires them
    all on submission."""

    class Meta:
        model = Questionnaire
        fields = [
            "satisfaction",
            "content",
            "preparation",
            "welcome",
            "safety",
            "skills",
            "plan",
            "comments",
        ]
        widgets = {
            "skills": forms.Textarea(attrs={"rows": 3}),
            "comments": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scores(self, ["satisfaction", "content", "preparation", "welcome", "safety"])
        self.fields["comments"].help_text = _(
            "Shown without your name in the evaluations of your cohort."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class HostAssessmentForm(forms.ModelForm):
    recommended = forms.NullBooleanField(
        label=_("We would recommend this volunteer"),
        required=False,
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = HostAssessment
        fields = ["contribution", "punctuality", "integration", "recommended", "comments"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scores(self, ["contribution", "punctuality", "integration"])
        self.helper = FormHelper()
        self.helper.form_tag = False


class SupportActionForm(forms.ModelForm):
    class Meta:
        model = SupportAction
        fields = ["kind", "outcome", "note"]
        widgets = {"note": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
