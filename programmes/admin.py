import zoneinfo

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Application,
    Call,
    Programme,
    ProgrammeMember,
    ProgrammeMission,
    Scheme,
    SupportAction,
    Target,
    available_time_zones,
)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class SchemeInline(admin.TabularInline):
    model = Scheme
    extra = 0


class MemberInline(admin.TabularInline):
    model = ProgrammeMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_agency", "funder", "start_date", "end_date"]
    filter_horizontal = ["operators"]
    inlines = [TargetInline, SchemeInline, MemberInline]


INSTANTS = ("opens_at", "closes_at")


def _ambiguous_or_imaginary(local, zone) -> bool:
    """Whether a wall time happens twice (autumn) or never (spring) in ``zone``."""
    return zone.utcoffset(local.replace(fold=not local.fold)) != zone.utcoffset(local)


class CallAdminForm(forms.ModelForm):
    """The opening and the deadline are typed and shown in the call's own time zone (the one
    applicants read them in), not in the server's: "23:59" next to "Europe/Paris" means 23:59 in
    Paris. Django's fields read a naive time in the server's zone (``TIME_ZONE``); ``__init__``
    shows the stored instants as the call's local times and ``clean`` reads the typed times
    again in the zone chosen on the form."""

    class Meta:
        model = Call
        fields = [
            "programme",
            "title",
            "slug",
            "opens_at",
            "closes_at",
            "time_zone",
            "selection_date",
            "questions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = _("Typed and shown in the call’s time zone (the field “time zone” below).")
        # A zone stored before the validator existed may be unknown: show the server's then.
        stored = self.instance.time_zone if self.instance.pk else ""
        zone = zoneinfo.ZoneInfo(stored) if stored in available_time_zones() else None
        for name in INSTANTS:
            self.fields[name].help_text = help_text
            value = self.initial.get(name)
            if zone is not None and value is not None:
                # Naive on purpose: the widget shows a naive time as it is.
                self.initial[name] = timezone.make_naive(value, zone)

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name not in available_time_zones():
            return data  # the model's validator says so on the field
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in INSTANTS:
            value = data.get(name)
            if value is None:
                continue
            # The field made the typed time aware in the server's zone: take the same wall
            # time in the call's zone.
            local = timezone.make_naive(value)
            if _ambiguous_or_imaginary(local, zone):
                self.add_error(
                    name,
                    ValidationError(
                        _(
                            "%(datetime)s does not exist or happens twice in %(zone)s (a change "
                            "of clock): choose another time."
                        ),
                        code="ambiguous_time",
                        params={"datetime": local, "zone": zone_name},
                    ),
                )
                continue
            data[name] = timezone.make_aware(local, zone)
        return data


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallAdminForm
    list_display = ["title", "programme", "opens", "deadline", "time_zone", "selection_date"]
    prepopulated_fields = {"slug": ["title"]}

    @staticmethod
    def _local(call: Call, instant) -> str:
        with timezone.override(zoneinfo.ZoneInfo(call.time_zone)):
            shown = date_format(timezone.localtime(instant), "SHORT_DATETIME_FORMAT")
        return gettext("%(datetime)s (%(zone)s)") % {"datetime": shown, "zone": call.time_zone}

    @admin.display(description=_("opens at"), ordering="opens_at")
    def opens(self, call):
        return self._local(call, call.opens_at)

    @admin.display(description=_("deadline"), ordering="closes_at")
    def deadline(self, call):
        return self._local(call, call.closes_at)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "siren", "call", "first_time", "decision", "operator"]
    list_filter = ["call", "level", "decision", "first_time"]
    search_fields = ["name", "siren"]
    list_select_related = ["call", "operator"]


@admin.register(SupportAction)
class SupportActionAdmin(admin.ModelAdmin):
    list_display = ["title", "strand", "laureate", "date", "attendance"]
    list_select_related = ["laureate"]


@admin.register(ProgrammeMission)
class ProgrammeMissionAdmin(admin.ModelAdmin):
    list_display = ["mission", "laureate", "scheme"]
    raw_id_fields = ["mission", "laureate"]
