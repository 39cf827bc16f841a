from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies.models import HostStructure, Theme
from core.dates import validate_date
from core.errors import DomainError, add_form_error
from exchanges.forms import DateInput
from exchanges.models import AgreementStatus, Quota
from exchanges.selectors import quota_places

from . import placement_dates
from .checklist import ChecklistStatus
from .models import EarlyReturnReason, FollowUp, Mission, Placement


def places_left_label(quota) -> str:
    """ "1 place left of 4" or "full (4/4)", of a quota read through ``quota_places``."""
    if quota.remaining <= 0:
        return _("full (%(used)d/%(places)d)") % {
            "used": quota.used,
            "places": quota.binding_places,
        }
    return ngettext(
        "%(left)d place left of %(places)d", "%(left)d places left of %(places)d", quota.remaining
    ) % {"left": quota.remaining, "places": quota.binding_places}


class QuotaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, quota):
        return f"{quota.agreement.reference} · {quota.direction_label} — {places_left_label(quota)}"


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
        # Each choice says its places left, counted as the confirmation counts them.
        self.fields["quota"].queryset = (
            quota_places(
                quotas=Quota.objects.filter(
                    in_force, receiving__in=host_ids, approved_places__isnull=False
                )
            )
            .select_related("agreement")
            .order_by("agreement__reference", "cohort", "sending__acronym")
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

    def clean(self):
        cleaned = super().clean()
        quota, start = cleaned.get("quota"), cleaned.get("start_date")
        # The cohort is the year its missions start in (the services check it again).
        if quota and start and start.year != quota.cohort:
            self.add_error(
                "start_date",
                _("A mission of the cohort %(cohort)s starts in %(cohort)s, not on %(start)s.")
                % {"cohort": quota.cohort, "start": date_format(start, "SHORT_DATE_FORMAT")},
            )
        return cleaned


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


class NoteForm(forms.Form):
    """The host's optional note when accepting a nomination (sent to the sending agency)."""

    note = forms.CharField(
        label=_("Note to the sending agency (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _PlacementDateForm(forms.Form):
    """A step of one placement among several on the mission page: ids unique to it, and the
    rules of ``placement_dates`` shown on the field they are about."""

    def __init__(self, *args, placement: Placement, **kwargs):
        kwargs.setdefault("auto_id", f"id_p{placement.pk}_%s")
        super().__init__(*args, **kwargs)
        self.placement = placement

    def labelled_fields(self):
        """``(field, widget HTML)`` pairs for ``missions/_date_form.html``: the page renders one
        of these forms per placement with a plain template, not crispy (a tenth of the time),
        Bootstrap's classes on each widget and ``is-invalid`` on a refused one."""
        for field in self:
            kind = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
            css = f"{kind} {kind}-sm" + (" is-invalid" if field.errors else "")
            yield field, field.as_widget(attrs={"class": css})

    def _check(self, rule, *args) -> None:
        try:
            rule(*args)
        except DomainError as exc:
            add_form_error(self, exc)


class DepartureForm(_PlacementDateForm):
    departure_date = forms.DateField(
        label=_("Departure date"), widget=DateInput(), validators=[validate_date]
    )
    # A manager records a departure with required checklist items open by giving the reason.
    override_reason = forms.CharField(
        label=_("Reason for departing with open items"), required=False, max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = placement_dates.departure_window(self.placement.mission)
        self.fields["departure_date"].help_text = _("From %(first)s to %(last)s.") % {
            "first": date_format(first, "SHORT_DATE_FORMAT"),
            "last": date_format(last, "SHORT_DATE_FORMAT"),
        }

    def clean(self):
        data = super().clean()
        if data.get("departure_date"):
            self._check(
                placement_dates.check_departure, self.placement.mission, data["departure_date"]
            )
        return data


class ChecklistItemForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ChecklistStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    document = forms.FileField(label=_("Document"), required=False)


class ReturnForm(_PlacementDateForm):
    return_date = forms.DateField(
        label=_("Return date"), widget=DateInput(), validators=[validate_date]
    )
    early_return_reason = forms.ChoiceField(
        label=_("Reason for an early return"),
        choices=[("", "—"), *EarlyReturnReason.choices],
        required=False,
    )
    early_return_note = forms.CharField(
        label=_("Details of the early return"), required=False, max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mission = self.placement.mission
        self.fields["return_date"].help_text = _("At the latest %(last)s.") % {
            "last": date_format(placement_dates.latest_return(mission), "SHORT_DATE_FORMAT")
        }
        early = placement_dates.early_before(self.placement)
        if early is not None:
            self.fields["early_return_reason"].help_text = _(
                "Required for a return before %(date)s."
            ) % {"date": date_format(early, "SHORT_DATE_FORMAT")}

    def clean(self):
        data = super().clean()
        if data.get("return_date"):
            self._check(
                placement_dates.check_return,
                self.placement,
                data["return_date"],
                data.get("early_return_reason", ""),
                data.get("early_return_note", ""),
            )
        return data


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["situation", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"].required = True
