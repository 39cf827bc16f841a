from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies.models import HostStructure, Theme
from core.dates import validate_date
from core.errors import DomainError, add_form_error
from core.widgets import QuickSelect, quick_selects
from exchanges.forms import DateInput
from exchanges.models import Agreement, AgreementStatus, Quota
from exchanges.selectors import NO_PLACEMENTS, counts_of

from . import placement_dates
from .checklist import ChecklistStatus
from .models import EarlyReturnReason, FollowUp, Mission, Placement


def places_left_label(used: int, places: int) -> str:
    """ "1 place left of 4" or "full (4/4)": ``used`` of the binding ``places``, as
    ``exchanges.selectors.quota_places`` counts them."""
    if places - used <= 0:
        return _("full (%(used)d/%(places)d)") % {"used": used, "places": places}
    return ngettext(
        "%(left)d place left of %(places)d", "%(left)d places left of %(places)d", places - used
    ) % {"left": places - used, "places": places}


class _QuotaChoices(ModelChoiceIterator):
    """``(pk, "VIR-… · 2027 ANVT → CNPV — 2 places left of 4")`` from one query of the label's
    columns (no model instances: there are hundreds) and one read of their count rows."""

    COLUMNS = (
        "pk",
        "agreement__reference",
        "cohort",
        "sending__acronym",
        "receiving__acronym",
        "places",
        "approved_places",
    )

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The usable quotas, then the edited mission's own if it is not one of them any more:
        # an OR of the two in one query would make PostgreSQL scan every agreement.
        field = self.field
        rows = list(field.usable.values_list(*self.COLUMNS))
        if field.own_pk is not None and all(row[0] != field.own_pk for row in rows):
            rows[:0] = Quota.objects.filter(pk=field.own_pk).values_list(*self.COLUMNS)
        counts = counts_of([row[0] for row in rows])
        for pk, reference, cohort, sending, receiving, places, approved in rows:
            binding = places if approved is None else approved
            used = counts.get(pk, NO_PLACEMENTS).used
            label = places_left_label(used, binding)
            yield pk, f"{reference} · {cohort} {sending} → {receiving} — {label}"


class QuotaChoiceField(forms.ModelChoiceField):
    """Validates against ``queryset``; lists ``usable`` (and the quota ``own_pk``)."""

    iterator = _QuotaChoices
    widget = QuickSelect
    usable = Quota.objects.none()
    own_pk = None

    def set_quotas(self, usable, own_pk=None):
        self.usable, self.own_pk = usable, own_pk
        self.queryset = usable if own_pk is None else usable | Quota.objects.filter(pk=own_pk)


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

    def __init__(self, *args, host_ids, agreement=None, **kwargs):
        """``host_ids``: the agencies whose received quotas the user may open missions under
        (None: every agency, the platform administrator); ``agreement``: only its quotas. The
        administrator chooses the agreement first (``needs_agreement``): the platform's quotas
        in force are tens of thousands."""
        super().__init__(*args, **kwargs)
        self.needs_agreement = host_ids is None and agreement is None
        # The quotas of agreements still in force (a closed agreement takes no new mission; at
        # scale its quotas are most of an agency's) and of the cohorts not past (a cohort is
        # the year its missions start in), and the mission's own.
        usable = Q(
            agreement__status=AgreementStatus.APPROVED,
            agreement__end_date__gte=timezone.localdate(),
            cohort__gte=timezone.localdate().year,
            approved_places__isnull=False,
        )
        if host_ids is not None:
            # The agencies' own agreements (they are parties of their quotas' agreements): the
            # planner reads their few agreements by party instead of every agreement in force.
            usable &= Q(receiving__in=host_ids) & (
                Q(agreement__party_a__in=host_ids) | Q(agreement__party_b__in=host_ids)
            )
        if agreement is not None:
            usable &= Q(agreement=agreement)
        quotas = Quota.objects.none() if self.needs_agreement else Quota.objects.filter(usable)
        # Each choice says its places left, counted as the confirmation counts them.
        self.fields["quota"].set_quotas(
            quotas.order_by("agreement__reference", "cohort", "sending__acronym"),
            own_pk=self.instance.quota_id,
        )
        if self.instance.pk and self.instance.placements.exists():
            # A mission with placements stays under its quota (the service refuses a move): its
            # own quota shown, not offered against the hundreds it could not take.
            field = self.fields["quota"]
            field.set_quotas(Quota.objects.filter(pk=self.instance.quota_id))
            field.disabled = True
            field.help_text = _("A mission with placements stays under its quota.")
        if host_ids is None:
            host_ids = [agreement.party_a_id, agreement.party_b_id] if agreement else []
            if self.instance.quota_id:
                host_ids.append(self.instance.quota.receiving_id)
        self.fields["host_structure"].queryset = HostStructure.objects.filter(
            agency__in=host_ids, is_active=True
        ).order_by("name")
        self.fields["theme"].queryset = Theme.objects.order_by("name")
        # Filled, in progress and completed follow the placements; a new mission is not
        # created cancelled.
        chosen = [Mission.Status.DRAFT, Mission.Status.OPEN]
        if self.instance.pk:
            chosen.append(Mission.Status.CANCELLED)
        self.fields["status"].choices = [(s.value, s.label) for s in chosen]
        self.fields["places"].widget.attrs["min"] = 1  # the service's rule: one place at least
        if self.instance.pk and self.instance.status not in dict(self.fields["status"].choices):
            self.fields["status"].disabled = True
            self.fields["status"].choices = Mission.Status.choices
        quick_selects(self)  # the structures and themes without a server-side cursor each

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


class AgreementPickForm(forms.Form):
    """The administrator's first step on the mission form: the agreement, by its reference (the
    platform's quotas in force are too many for one list)."""

    agreement = forms.CharField(
        label=_("Agreement reference"),
        max_length=50,
        help_text=_("An approved agreement in force, e.g. VIR-TG-ML-2017."),
    )

    def clean_agreement(self):
        reference = self.cleaned_data["agreement"].strip()
        agreement = Agreement.objects.filter(
            reference__iexact=reference,
            status=AgreementStatus.APPROVED,
            end_date__gte=timezone.localdate(),
        ).first()
        if agreement is None:
            raise forms.ValidationError(
                _("No approved agreement in force has the reference “%(reference)s”.")
                % {"reference": reference}
            )
        return agreement


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
        # The window the rules allow that is not in the future: a departure is recorded once
        # it has happened.
        first, last = placement_dates.departure_window(self.placement.mission)
        last = min(last, timezone.localdate())
        help_text = _("From %(first)s to %(last)s.")
        if first > last:
            help_text = _("Recorded once the volunteer has left, from %(first)s.")
        self.fields["departure_date"].help_text = help_text % {
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
