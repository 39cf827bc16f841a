from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import quick_countries, style_fields

from .models import DownloadRecord, HostStructure, Theme


class HostStructureForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Themes"),
    )

    class Meta:
        model = HostStructure
        fields = [
            "name",
            "kind",
            "city",
            "country",
            "contact_person",
            "email",
            "phone",
            "themes",
            "is_active",
        ]
        error_messages = {
            "email": {"invalid": _("Enter a valid e-mail address, e.g. contact@example.org.")},
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.instance.agency = agency
        quick_countries(self, "country")
        # In the country of the agency that manages it (agencies.services checks it again).
        self.initial["country"] = agency.country
        self.fields["country"].disabled = True

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        name, city = cleaned.get("name"), cleaned.get("city")
        if name and city:
            # Compared in Python: SQLite's case-insensitive matching ignores accented letters.
            key = (name.casefold(), city.strip().casefold())
            others = (
                HostStructure.objects.filter(agency=self.agency)
                .exclude(pk=self.instance.pk)
                .values_list("name", "city")
            )
            if any((n.casefold(), c.strip().casefold()) == key for n, c in others):
                self.add_error(
                    "name", _("Your agency already has a host structure with this name here.")
                )
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DownloadFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *DownloadRecord.Kind.choices], required=False
    )
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
