from django.contrib import admin

from .models import (
    Application,
    Call,
    Programme,
    ProgrammeMember,
    ProgrammeMission,
    Scheme,
    SupportAction,
    Target,
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


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "opens_at", "closes_at", "time_zone", "selection_date"]
    prepopulated_fields = {"slug": ["title"]}


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
