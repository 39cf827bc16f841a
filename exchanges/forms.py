from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Theme
from core.csv import DELIMITER_CHOICES
from core.dates import validate_year
from core.widgets import QuickSelect, quick_selects, style_fields

from .models import Agreement, AgreementStatus, cohort_error
from .services import QuotaData
from .validators import validate_pdf

A_TO_B, B_TO_A = "ab", "ba"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgreementForm(forms.ModelForm):
    """The agreement's fields. The first party is the creating manager's agency; the second is
    chosen when creating and fixed afterwards."""

    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Themes"),
    )
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        required=False,
        validators=[validate_pdf],
        # Not a ClearableFileInput: it would link to the file's storage name, which is never
        # served; the document is downloaded through its own view.
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        help_text=_("PDF only, 10 MB at most."),
    )
    remove_document = forms.BooleanField(label=_("Remove the signed document"), required=False)

    class Meta:
        model = Agreement
        fields = [
            "reference",
            "title",
            "party_b",
            "start_date",
            "end_date",
            "themes",
            "min_age",
            "max_age",
            "min_experience_days",
            "min_duration_months",
            "max_duration_months",
            "imbalance_threshold",
            "language_requirements",
            "notes",
            "document",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "language_requirements": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"party_b": _("Partner agency")}

    def __init__(self, *args, party_a: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.party_a = party_a
        if self.instance.document:
            self.fields["document"].help_text = _(
                "A signed document is stored; upload another PDF (10 MB at most) to replace it."
            )
        else:
            del self.fields["remove_document"]
        if self.instance.pk:
            del self.fields["party_b"]
        else:
            self.fields["party_b"].queryset = Agency.objects.filter(is_active=True).exclude(
                pk=party_a.pk
            )
        quick_selects(self)  # the partner agency: hundreds of options, one template each

    def save(self, commit=True):
        if self.cleaned_data.get("remove_document") and "document" not in self.changed_data:
            # The file stays in the private storage: the history still names it.
            self.instance.document = ""
        return super().save(commit)

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", _("The end date comes after the start date."))
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("The maximum age is at least the minimum age."))
        low, high = cleaned.get("min_duration_months"), cleaned.get("max_duration_months")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_duration_months", _("The longest mission is at least the shortest one.")
            )
        return cleaned


class QuotaForm(forms.Form):
    cohort = forms.IntegerField(
        label=_("Cohort"),
        help_text=_("The year the cohort's missions start in."),
        validators=[validate_year],
    )
    direction = forms.ChoiceField(label=_("Direction"))
    places = forms.IntegerField(label=_("Places"), min_value=0, max_value=10000)
    duration_months = forms.IntegerField(
        label=_("Mission duration (months)"), min_value=1, max_value=60, required=False
    )

    def __init__(self, *args, directions, period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = directions
        quick_selects(self)
        # The agreement's (start, end) as typed in the same page, once valid: a cohort is a
        # year of it (the services check it again).
        self.period = period

    def clean_cohort(self):
        cohort = self.cleaned_data["cohort"]
        if self.period is not None:
            message = cohort_error(cohort, *self.period)
            if message:
                raise forms.ValidationError(message)
        return cohort


class BaseQuotaFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        extra_index = index - self.initial_form_count()
        if extra_index >= 0:
            # Blank rows offer one direction each; untouched, they are ignored.
            kwargs["initial"] = {"direction": (A_TO_B, B_TO_A)[extra_index % 2]}
        return kwargs

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Rendered in a table row, not by crispy: give the widgets Bootstrap's classes here.
        for name, field in form.fields.items():
            css = {"direction": "form-select", "DELETE": "form-check-input"}
            field.widget.attrs["class"] = css.get(name, "form-control")

    def _kept_forms(self):
        """Existing rows unless deleted, and the new rows that were filled in."""
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            yield form

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self._kept_forms():
            key = (form.cleaned_data["cohort"], form.cleaned_data["direction"])
            if key in seen:
                raise forms.ValidationError(
                    _("Cohort %(cohort)s has two quotas in the same direction."),
                    params={"cohort": key[0]},
                )
            seen.add(key)

    def quotas(self, party_a_id: int, party_b_id: int) -> list[QuotaData]:
        quotas = []
        for form in self._kept_forms():
            data = form.cleaned_data
            a_to_b = data["direction"] == A_TO_B
            quotas.append(
                QuotaData(
                    cohort=data["cohort"],
                    sending_id=party_a_id if a_to_b else party_b_id,
                    receiving_id=party_b_id if a_to_b else party_a_id,
                    places=data["places"],
                    duration_months=data["duration_months"],
                )
            )
        return quotas


QuotaFormSet = forms.formset_factory(
    QuotaForm, formset=BaseQuotaFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
)


def quota_formset(
    data, agreement: Agreement | None, party_a: Agency, party_b: Agency | None, period=None
):
    """The quota rows of ``agreement`` (or none), with directions named after the parties;
    ``period``: the agreement's (start, end) from the valid agreement form, if any."""
    partner = party_b.acronym if party_b else _("partner")
    directions = [
        (A_TO_B, f"{party_a.acronym} → {partner}"),
        (B_TO_A, f"{partner} → {party_a.acronym}"),
    ]
    initial = []
    if agreement is not None and agreement.pk:
        initial = [
            {
                "cohort": q.cohort,
                "direction": A_TO_B if q.sending_id == agreement.party_a_id else B_TO_A,
                "places": q.places,
                "duration_months": q.duration_months,
            }
            for q in agreement.quotas.order_by("cohort", "sending__acronym")
        ]
    return QuotaFormSet(
        data,
        initial=initial,
        prefix="quotas",
        form_kwargs={"directions": directions, "period": period},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # Choices read as (id, acronym) pairs: a large agency has hundreds of partners, and model
    # instances only to print their acronyms cost more than the query.
    partner = forms.TypedChoiceField(
        label=_("Partner"), coerce=int, empty_value=None, required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), *AgreementStatus.choices],
        required=False,
        widget=QuickSelect,
    )
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200, required=False)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), required=False, widget=QuickSelect
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "---------"), *partners.values_list("pk", "acronym")]
        style_fields(self)


class CompareForm(forms.Form):
    # At most the database's integer: a larger number typed in the address is refused here.
    old = forms.IntegerField(label=_("From version"), min_value=1, max_value=2**31 - 1)
    new = forms.IntegerField(label=_("To version"), min_value=1, max_value=2**31 - 1)


class QuotaReportForm(forms.Form):
    SCOPES = [("agreement", _("This agreement")),
              ("agency", _("My agency’s agreements")),
              ("all", _("All agreements"))]  # fmt: skip

    scope = forms.ChoiceField(label=_("Scope"), choices=SCOPES)
    agreement = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", "PDF"), ("csv", "CSV")], initial="pdf"
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    first_year = forms.IntegerField(
        label=_("Cohorts from"), required=False, validators=[validate_year]
    )
    last_year = forms.IntegerField(
        label=_("Cohorts to"), required=False, validators=[validate_year]
    )
    threshold = forms.IntegerField(
        label=_("Imbalance threshold (volunteers)"),
        help_text=_("Empty: each agreement’s own threshold."),
        required=False,
        min_value=1,  # as an agreement's own
        max_value=1000,
    )
    delimiter = forms.ChoiceField(
        label=_("CSV separator"), choices=DELIMITER_CHOICES, required=False
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_year"), cleaned.get("last_year")
        if first and last and first > last:
            self.add_error("last_year", _("The last cohort year comes before the first."))
        if cleaned.get("scope") == "agreement" and not cleaned.get("agreement"):
            self.add_error("scope", _("Choose an agreement."))
        return cleaned
