from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateInput
from agencies.models import Theme
from reports.models import Report

from .models import Application, Scheme, SupportAction
from .services import APPLICANT_FIELDS


class ApplicationForm(forms.ModelForm):
    """The public form of a call. ``website`` is a honeypot: hidden from people (CSS class),
    filled by robots; a filled one is answered as a success and nothing is saved."""

    website = forms.CharField(label=_("Leave this field empty"), required=False)

    class Meta:
        model = Application
        fields = [*APPLICANT_FIELDS, "themes"]
        widgets = {
            "partners": forms.Textarea(attrs={"rows": 2}),
            "answers": forms.Textarea(attrs={"rows": 5}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["website"].widget.attrs.update({"class": "honeypot", "tabindex": "-1"})
        self.fields["website"].widget.attrs["autocomplete"] = "off"
        if call is not None and call.question_list:
            self.fields["answers"].help_text = " ".join(call.question_list)

    def clean(self):
        data = super().clean()
        if not (data.get("sending") or data.get("hosting")):
            self.add_error("sending", _("Choose sending, hosting or both."))
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class AssessForm(forms.Form):
    score = forms.IntegerField(
        label=_("score (out of 20)"), min_value=0, max_value=20, required=False
    )
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    decision = forms.ChoiceField(label=_("decision"), choices=Application.Decision.choices)
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, notified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if notified:
            # The notice carried the decision and its reason: the page offers neither to change
            # (``services.application_assess`` refuses it too).
            self.fields["reason"].widget.attrs["readonly"] = True
            self.fields["reason"].help_text = _(
                "The applicant was notified of the decision and its reason: they can no longer "
                "change."
            )


class OperatorForm(forms.Form):
    operator = forms.ModelChoiceField(label=_("operator"), queryset=None)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = programme.operators.filter(is_active=True).order_by(
            "name"
        )
        # Applicants know the operators by their names, not the platform's acronyms.
        self.fields["operator"].label_from_instance = lambda agency: agency.name


class SupportActionForm(forms.ModelForm):
    attendance = forms.IntegerField(
        label=capfirst(_("attendance")),
        min_value=0,
        max_value=SupportAction.MAX_ATTENDANCE,
        initial=0,
    )

    class Meta:
        model = SupportAction
        fields = ["strand", "title", "date", "attendance", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}


class MissionLinkForm(forms.Form):
    mission = forms.ModelChoiceField(label=_("mission"), queryset=None)
    scheme = forms.ModelChoiceField(label=_("scheme"), queryset=None)

    def __init__(self, *args, missions, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = missions
        self.fields["scheme"].queryset = Scheme.objects.filter(programme=programme)


class ReportRequestForm(forms.Form):
    format = forms.ChoiceField(
        label=_("format"),
        choices=Report.Format.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    language = forms.ChoiceField(
        label=_("language"),
        choices=settings.LANGUAGES,
        initial="fr",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
