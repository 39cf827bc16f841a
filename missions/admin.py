import copy

from django.contrib import admin
from django.forms.models import construct_instance

from core.admin import CheckedAdminForm, HistoryAdmin

from .models import ChecklistItem, DepartureOverride, FollowUp, Mission, Placement
from .services import (
    check_closing,
    check_mission,
    check_opening_again,
    check_placements_still_fit,
    check_places_taken,
    mission_create,
    mission_update,
)


class MissionAdminForm(CheckedAdminForm):
    """A mission's own rules (``services.check_mission``): a host structure of the quota's
    host agency (the one that sees and edits the mission), a theme and dates of the agreement;
    and, as the app's form, no fewer places than taken and dates that still suit the
    volunteers placed on it."""

    def check(self, data):
        check_mission(
            quota=data.get("quota", self.instance.quota if self.instance.quota_id else None),
            host_structure=data["host_structure"],
            theme=data["theme"],
            start=data["start_date"],
            end=data["end_date"],
            places=data.get("places"),
        )
        if self.instance.pk is not None:
            # The mission as the form would save it (the form's instance takes the values
            # after ``clean``).
            mission = construct_instance(self, copy.copy(self.instance))
            was = self.instance.status
            check_places_taken(mission)
            check_closing(mission, was=was)
            check_placements_still_fit(mission)
            check_opening_again(mission, was=was)


@admin.register(Mission)
class MissionAdmin(HistoryAdmin):
    form = MissionAdminForm
    list_display = ["title", "host_structure", "city", "start_date", "end_date", "places", "status"]
    list_filter = ["status", "theme", "receiving", "sending"]
    search_fields = [
        "title__unaccented",
        "city__unaccented",
        "host_structure__name__unaccented",
        "quota__agreement__reference",
    ]
    list_select_related = ["host_structure"]
    raw_id_fields = ["quota", "host_structure", "created_by"]
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request, obj=None):
        # Its placements count under its quota (as the app's form refuses the move too).
        if obj is not None and obj.placements.exists():
            return ["quota"]
        return []

    def save_model(self, request, obj, form, change):
        # Through the services, as the app saves it: its status follows its places, its
        # placements' checklists its start (the form has run their checks).
        if change:
            mission_update(mission=obj, user=request.user)
        else:
            mission_create(mission=obj, user=request.user)


@admin.register(Placement)
class PlacementAdmin(HistoryAdmin):
    list_display = ["volunteer", "mission", "status", "nominated_at", "departure_date"]
    list_filter = ["status", "quota__sending", "quota__receiving"]
    search_fields = [
        "volunteer__search_text__matches",
        "mission__title__unaccented",
    ]
    list_select_related = ["volunteer", "mission"]
    raw_id_fields = ["mission", "volunteer", "nominated_by", "decided_by"]

    # A placement moves through the mission page's steps, where the rules run (the volunteer
    # of the quota's sender, eligible and free, the places of the mission and the quota, the
    # dates, the checklist, the volunteer's status, the parties told). The admin reads it and
    # corrects only its free texts; it does not add one.
    EDITABLE = ("reason", "early_return_note")

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Placement._meta.fields if f.name not in self.EDITABLE]


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    list_display = ["placement", "due_month", "due_date", "situation", "recorded_at"]
    list_filter = ["due_month", "situation"]
    search_fields = [
        "placement__volunteer__search_text__matches",
        "placement__mission__title__unaccented",
    ]
    list_select_related = ["placement__volunteer", "placement__mission"]
    raw_id_fields = ["placement", "recorded_by"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["placement", "kind", "agency", "due_date", "status", "updated_at"]
    list_filter = ["kind", "status", "side"]
    search_fields = ["placement__volunteer__search_text__matches", "placement__mission__title"]
    list_select_related = ["placement__volunteer", "placement__mission", "agency"]
    raw_id_fields = ["placement", "agency", "updated_by"]


@admin.register(DepartureOverride)
class DepartureOverrideAdmin(admin.ModelAdmin):
    list_display = ["placement", "user", "created_at"]
    list_select_related = ["placement__volunteer", "placement__mission", "user"]
    raw_id_fields = ["placement", "user"]
