from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.admin import CheckedAdminForm, HistoryAdmin

from .models import (
    Experience,
    ExperienceSpan,
    LanguageSkill,
    Volunteer,
    VolunteerExport,
    VolunteerImport,
)
from .services import check_agency_move, experience_spans_refresh


class ExperienceInline(admin.TabularInline):
    model = Experience
    extra = 0
    fields = ["organisation", "role", "start", "end", "proof"]


class LanguageInline(admin.TabularInline):
    model = LanguageSkill
    extra = 0


class VolunteerAdminForm(CheckedAdminForm):
    """The register's rules (``services.check_agency_move``): a volunteer with placements stays
    with the agency that proposed them (the quotas' sending agency)."""

    def check(self, data):
        if self.instance.pk is not None and "sending_agency" in data:
            stored = Volunteer.objects.select_related("sending_agency").get(pk=self.instance.pk)
            check_agency_move(stored, data["sending_agency"])


@admin.register(Volunteer)
class VolunteerAdmin(HistoryAdmin):
    form = VolunteerAdminForm
    list_display = [
        "name",
        "born",
        "nationality",
        "status",
        "sending_agency",
    ]
    list_filter = ["status", "sex", "diaspora", "sending_agency", "nationality"]
    search_fields = ["search_text__matches"]  # names and e-mail (core.search)
    list_select_related = ["sending_agency"]
    autocomplete_fields = ["sending_agency"]
    filter_horizontal = ["themes"]
    # The status follows the placements (their services set it; a new volunteer is a
    # candidate): the admin shows it, as the app's form does not offer it.
    readonly_fields = ["status", "anonymised_at", "created_at", "updated_at"]
    inlines = [ExperienceInline, LanguageInline]
    date_hierarchy = "created_at"

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, obj):
        """As the volunteers' list writes it ("MENSAH Akossiwa"); "Anonymised volunteer" once
        anonymised (the erased names are a marker, not a name)."""
        if obj.is_anonymised:
            return obj.full_name
        return f"{obj.last_name.upper()} {obj.first_name}"

    @admin.display(description=_("birth date"), ordering="birth_date")
    def born(self, obj):
        """The birth date; of an anonymised volunteer, the year only (the stored day, 1 July,
        is a stand-in), as the platform's pages give it."""
        if obj.is_anonymised:
            return obj.birth_date.year
        return date_format(obj.birth_date, "SHORT_DATE_FORMAT")

    @admin.display(description=_("year of birth"))
    def birth_year(self, obj):
        return obj.birth_date.year

    def get_exclude(self, request, obj=None):
        # An anonymised volunteer's day of birth was erased: the year is shown, not a date to
        # edit (a date typed here would claim a day nobody knows).
        excluded = list(super().get_exclude(request, obj) or [])
        return [*excluded, "birth_date"] if obj is not None and obj.is_anonymised else excluded

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "birth_year"] if obj is not None and obj.is_anonymised else fields

    def save_related(self, request, form, formsets, change):
        # The "eligible on" filter reads spans derived from the periods: keep them in step.
        super().save_related(request, form, formsets, change)
        experience_spans_refresh(volunteer_ids=[form.instance.pk])


@admin.register(Experience)
class ExperienceAdmin(HistoryAdmin):
    list_display = ["volunteer", "organisation", "start", "end"]
    list_filter = ["volunteer__sending_agency"]
    search_fields = [
        "organisation__unaccented",
        "volunteer__search_text__matches",
    ]
    list_select_related = ["volunteer"]
    autocomplete_fields = ["volunteer"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        experience_spans_refresh(volunteer_ids=[obj.volunteer_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        experience_spans_refresh(volunteer_ids=[obj.volunteer_id])

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("volunteer_id", flat=True))
        super().delete_queryset(request, queryset)
        experience_spans_refresh(volunteer_ids=ids)


@admin.register(LanguageSkill)
class LanguageSkillAdmin(HistoryAdmin):
    list_display = ["volunteer", "language", "level"]
    list_filter = ["language", "level"]
    search_fields = [
        "volunteer__search_text__matches",
    ]
    list_select_related = ["volunteer"]
    autocomplete_fields = ["volunteer"]


@admin.register(ExperienceSpan)
class ExperienceSpanAdmin(admin.ModelAdmin):
    """Derived data, shown for understanding; it is rebuilt from the periods, never edited."""

    list_display = ["volunteer", "start", "end", "days_before", "origin", "days_through"]
    search_fields = ["volunteer__search_text__matches"]
    list_select_related = ["volunteer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VolunteerImport)
class VolunteerImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "agency", "status", "total_rows", "created_count", "created_at"]
    list_filter = ["status", "agency"]
    search_fields = ["file_name", "checksum"]
    list_select_related = ["agency"]
    readonly_fields = ["checksum", "created_at", "started_at", "finished_at"]


@admin.register(VolunteerExport)
class VolunteerExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_by", "format", "status", "rows_written", "created_at"]
    list_filter = ["status", "format"]
    search_fields = ["requested_by__username", "sha256"]
    list_select_related = ["requested_by"]
    raw_id_fields = ["requested_by"]
    # The file is private (contact details): the admin shows its name and hash, not a link.
    exclude = ["file"]
    readonly_fields = [
        "filename",
        "sha256",
        "size",
        "agency_ids",
        "started_at",
        "finished_at",
        "attempts",
    ]
