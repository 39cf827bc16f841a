from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import HostStructure, Theme
from core.dates import validate_date
from exchanges.forms import DateInput
from exchanges.models import AgreementStatus, Quota

from .checklist import ChecklistStatus
from .models import FollowUp, Mission


class QuotaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, quota):
        return f"{quota.agreement.reference} · {quota.cohort} · {quota.sending.acronym} → " + (
            quota.receiving.acronym
        )


class MissionForm(forms.ModelForm):
    """A mission of the host agency: the quota (where the agency receives), one of its host
    structures, the rest. The services check the agreement's themes, dates and durations."""

    quota = QuotaChoiceField(queryset=Quota.objects.none(), label=_("Quota"))

    class Meta:
        model = Mission
        fields = [
            "quota",
            "host_structure",
            "title",
            "description",
            "theme",
            "city",
            "start_date",
            "end_date",
            "places",
            "status",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, host_ids, **kwargs):
        super().__init__(*args, **kwargs)
        # The quotas of agreements still in force (a closed agreement takes no new mission; at
        # scale its quotas are most of an agency's), and the mission's own.
        in_force = Q(
            agreement__status=AgreementStatus.APPROVED,
            agreement__end_date__gte=timezone.localdate(),
        )
        if self.instance.quota_id:
            in_force |= Q(pk=self.instance.quota_id)
        self.fields["quota"].queryset = (
            Quota.objects.filter(in_force, receiving__in=host_ids, approved_places__isnull=False)
            .select_related("agreement", "sending", "receiving")
            .order_by("agreement__reference", "cohort")
        )
        self.fields["host_structure"].queryset = HostStructure.objects.filter(
            agency__in=host_ids, is_active=True
        ).order_by("name")
        self.fields["theme"].queryset = Theme.objects.order_by("name")
        # Filled, in progress and completed follow the placements.
        self.fields["status"].choices = [
            (s.value, s.label)
            for s in (Mission.Status.DRAFT, Mission.Status.OPEN, Mission.Status.CANCELLED)
        ]
        if self.instance.pk and self.instance.status not in dict(self.fields["status"].choices):
            self.fields["status"].disabled = True
            self.fields["status"].choices = Mission.Status.choices


class MissionFilterForm(forms.Form):
    SIDES = [("", _("All")), ("host", _("We host")), ("send", _("We send"))]

    side = forms.ChoiceField(label=_("Side"), choices=SIDES, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Mission.Status.choices], required=False
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.all(), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )


class NominateFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    eligible = forms.BooleanField(label=_("Eligible only"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DepartureForm(forms.Form):
    departure_date = forms.DateField(
        label=_("Departure date"), widget=DateInput(), validators=[validate_date]
    )
    # A manager records a departure with required checklist items open by giving the reason.
    override_reason = forms.CharField(
        label=_("Reason for departing with open items"), required=False, max_length=2000
    )


class ChecklistItemForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ChecklistStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    document = forms.FileField(label=_("Document"), required=False)


class ReturnForm(forms.Form):
    return_date = forms.DateField(
        label=_("Return date"), widget=DateInput(), validators=[validate_date]
    )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["situation", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"].required = True
