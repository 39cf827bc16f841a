from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.forms import inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from agencies.models import Theme
from core.dates import validate_date
from core.formsets import NoRepeatFormSet
from core.widgets import quick_countries, quick_selects

from .models import Experience, LanguageSkill, Volunteer, name_key, normalise_name
from .validators import HEAD_BYTES, MAX_IMPORT_BYTES, import_format, xlsx_archive_refusal

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATUS_HELP = _(
    "The status follows the volunteer's placements (nominated, confirmed, deployed, back); a "
    "withdrawal is recorded with its button on the volunteer's page."
)


class VolunteerForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Themes of interest"),
    )

    class Meta:
        model = Volunteer
        fields = [
            "first_name",
            "last_name",
            "sex",
            "birth_date",
            "nationality",
            "diaspora",
            "email",
            "phone",
            "city",
            "country",
            "education_level",
            "themes",
            "skills",
            "motivation",
            "status",
            "notes",
        ]
        widgets = {
            "birth_date": DATE_INPUT,
            "skills": forms.Textarea(attrs={"rows": 2}),
            "motivation": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "email": {"invalid": _("Enter a valid e-mail address, e.g. ama@example.org.")},
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.instance.sending_agency = agency
        status = self.fields["status"]
        if self.instance.pk and self.instance.status == Volunteer.Status.WITHDRAWN:
            # Back on the register: the one change of status made here.
            status.choices = [
                (s.value, s.label) for s in (Volunteer.Status.WITHDRAWN, Volunteer.Status.CANDIDATE)
            ]
        else:
            status.disabled = True
            status.help_text = STATUS_HELP
        quick_countries(self, "nationality", "country")  # the form took 80-100 ms without
        quick_selects(self)
        if not self.instance.pk:
            self.initial.setdefault("nationality", agency.country)
            self.initial.setdefault("country", agency.country)

    def clean_status(self):
        """A status the placements set is not typed in (a form left open while the host
        confirmed would put it back): refused when sent (the API), kept otherwise."""
        status = self.cleaned_data["status"]
        sent = self.data.get("status")
        if self.fields["status"].disabled and sent not in (None, "", status):
            raise forms.ValidationError(STATUS_HELP)
        return status

    def clean_first_name(self):
        return normalise_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return normalise_name(self.cleaned_data["last_name"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        others = Volunteer.objects.filter(
            sending_agency=self.agency, anonymised_at__isnull=True
        ).exclude(pk=self.instance.pk)
        first, last, born = (cleaned.get(k) for k in ("first_name", "last_name", "birth_date"))
        if first and last and born:
            # Compared in Python: SQLite's case-insensitive matching ignores accented letters;
            # ' and ’ are the same apostrophe (``name_key``).
            key = name_key(first, last)
            same_day = others.filter(birth_date=born).values_list("first_name", "last_name")
            if any(name_key(f, n) == key for f, n in same_day):
                self.add_error(
                    "last_name",
                    _("Your agency already has a volunteer with this name and birth date."),
                )
        email = cleaned.get("email")
        # Compared as the unique index ``(agency, lower(email)) WHERE email <> ''`` reads it:
        # ``iexact`` (UPPER) read every volunteer of the agency (200 ms for 100,000).
        same_email = others.annotate(email_lower=Lower("email")).filter(~Q(email=""))
        if email and same_email.filter(email_lower=email.lower()).exists():
            self.add_error("email", _("Your agency already has a volunteer with this e-mail."))
        return cleaned


class ExperienceForm(forms.ModelForm):
    remove_proof = forms.BooleanField(label=_("Remove the document"), required=False)

    class Meta:
        model = Experience
        fields = ["organisation", "role", "start", "end", "description", "proof"]
        widgets = {
            "start": DATE_INPUT,
            "end": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 2}),
            "proof": forms.FileInput(attrs={"accept": "application/pdf,image/*"}),
        }

    def save(self, commit=True):
        # A replaced or removed document is deleted from the storage once the transaction
        # commits (``services.volunteer_save``): ``replaced_proof`` names it.
        previous = self.initial.get("proof")
        self.replaced_proof = None
        experience = super().save(commit=False)
        upload = self.cleaned_data.get("proof")
        if upload and "proof" in self.changed_data:
            experience.proof_name = upload.name[:255]
            self.replaced_proof = previous.name if previous else None
        elif self.cleaned_data.get("remove_proof") and experience.proof:
            self.replaced_proof = experience.proof.name
            experience.proof = None
            experience.proof_name = ""
        if commit:
            experience.save()
        return experience


ExperienceFormSet = inlineformset_factory(
    Volunteer, Experience, form=ExperienceForm, extra=1, can_delete=True
)


class BaseLanguageFormSet(NoRepeatFormSet):
    unique_field = "language"
    repeated_message = _("This language is listed twice.")


class LanguageForm(forms.ModelForm):
    class Meta:
        model = LanguageSkill
        fields = ["language", "level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quick_selects(self)  # the languages' options, in every form of the formset


LanguageFormSet = inlineformset_factory(
    Volunteer,
    LanguageSkill,
    form=LanguageForm,
    formset=BaseLanguageFormSet,
    fields=["language", "level"],
    extra=1,
    can_delete=True,
)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)


class EligibilityDateForm(forms.Form):
    on = forms.DateField(label=_("Departure date"), widget=DATE_INPUT, validators=[validate_date])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (comma or semicolon) or XLSX, with the template’s column names."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(max)s.")
                % {"max": filesizeformat(MAX_IMPORT_BYTES)}
            )
        data = upload.read()
        file_format = import_format(data[:HEAD_BYTES])
        if file_format is None:
            raise forms.ValidationError(_("Send a CSV or XLSX file."))
        # A workbook that would unpack to far more than a table is refused before anything.
        refusal = xlsx_archive_refusal(data) if file_format == "xlsx" else None
        if refusal:
            raise forms.ValidationError(refusal)
        self.data_bytes = data
        return upload
