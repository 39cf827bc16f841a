from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.formsets import NoRepeatFormSet
from core.widgets import quick_model_choices, quick_selects
from exchanges.selectors import agreements_visible_to

from .models import Evaluation, Finding, Score
from .services import CORRECTION_AGREEMENT, OWNER_NOT_A_PARTY


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = [
            "agreement",
            "cohort",
            "title",
            "period_start",
            "period_end",
            "visit_start",
            "visit_end",
            "visit_place",
            "participants",
            "context",
            "method",
            "summary",
        ]
        widgets = {
            f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for f in ["period_start", "period_end", "visit_start", "visit_end"]
        }

    def __init__(self, *args, user, agency, **kwargs):
        super().__init__(*args, **kwargs)
        # An agency evaluates the agreements it is party to.
        # Thousands for a large agency: options from (pk, reference) rows, built in Python.
        agreements = agreements_visible_to(user).filter(Q(party_a=agency) | Q(party_b=agency))
        field = self.fields["agreement"]
        if self.instance.previous_id:
            # A correction evaluates the agreement of the version it corrects (the service
            # refuses another): that one only, not editable.
            agreements = agreements.filter(pk=self.instance.agreement_id)
            field.disabled = True
            field.help_text = CORRECTION_AGREEMENT
        quick_model_choices(field, agreements, "reference")
        self.instance.agency = agency

    def chosen_agreement(self):
        """The agreement posted (if it is one the user may choose) or the draft's own."""
        field = self.fields["agreement"]
        if self.is_bound and not field.disabled:
            try:
                return field.clean(
                    field.widget.value_from_datadict(self.data, self.files, "agreement")
                )
            except forms.ValidationError:
                return None
        return self.instance.agreement if self.instance.agreement_id else None


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["axis", "kind", "order", "text", "owner", "due_date", "follow_up"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"owner": _("A party of the evaluated agreement.")}

    def __init__(self, *args, owners=None, owner_rows=None, **kwargs):
        """``owners``: the agencies that may own a recommendation; ``owner_rows``: their
        ``(pk, acronym)``, read once for every form of the formset."""
        super().__init__(*args, **kwargs)
        # Only a party of the evaluated agreement owns a recommendation (checked again by the
        # service and the database): nobody else sees the evaluation.
        if owners is not None:
            field = self.fields["owner"]
            field.queryset = owners  # what a posted owner is validated against
            # Not "Select a valid choice": the choices offered before an agreement is chosen
            # are the parties of any of the agency's agreements.
            field.error_messages["invalid_choice"] = OWNER_NOT_A_PARTY
            if owner_rows is not None:
                field.choices = [("", field.empty_label), *owner_rows]
        quick_selects(self)

    def clean(self):
        data = super().clean()
        if data.get("kind") != Finding.Kind.RECOMMENDATION:
            data["owner"], data["due_date"], data["follow_up"] = None, None, ""
            self.instance.owner, self.instance.due_date, self.instance.follow_up = None, None, ""
        return data


class ScoreForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quick_selects(self)
        # The browser keeps a score within 1–5 (the model's validators and constraint too).
        self.fields["value"].widget.attrs.update(min=1, max=5)


class BaseScoreFormSet(NoRepeatFormSet):
    unique_field = "criterion"
    repeated_message = _("This criterion is scored twice.")


ScoreFormSet = inlineformset_factory(
    Evaluation,
    Score,
    form=ScoreForm,
    formset=BaseScoreFormSet,
    fields=["criterion", "value", "comment"],
    extra=6,
    max_num=6,
    can_delete=True,
    widgets={"comment": forms.Textarea(attrs={"rows": 2})},
)
FindingFormSet = inlineformset_factory(
    Evaluation, Finding, form=FindingForm, extra=3, can_delete=True
)


def kept(formset) -> list:
    """The unsaved instances of a valid formset's filled, not deleted forms."""
    return [
        form.instance
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class FollowUpForm(forms.Form):
    follow_up = forms.ChoiceField(label=_("Follow-up status"), choices=Finding.FollowUp.choices)


class ReportRequestForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The reader's language first (their account's preference, ``core.languages``).
        self.fields["language"].initial = translation.get_language()
