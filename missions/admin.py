from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import CheckedAdminForm

from .models import ChecklistItem, DepartureOverride, FollowUp, Mission, Placement
from .services import check_mission


class MissionAdminForm(CheckedAdminForm):
    """A mission's own rules (``services.check_mission``): a host structure of the quota's
    host agency (the one that sees and edits the mission), a theme and dates of the agreement."""

    def check(self, data):
        check_mission(
            quota=data.get("quota", self.instance.quota if self.instance.quota_id else None),
            host_structure=data["host_structure"],
            theme=data["theme"],
            start=data["start_date"],
            end=data["end_date"],
        )


@admin.register(Mission)
class MissionAdmin(SimpleHistoryAdmin):
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


@admin.register(Placement)
class PlacementAdmin(SimpleHistoryAdmin):
    list_display = ["volunteer", "mission", "status", "nominated_at", "departure_date"]
    list_filter = ["status", "quota__sending", "quota__receiving"]
    search_fields = [
        "volunteer__search_text__matches",
        "mission__title__unaccented",
    ]
    list_select_related = ["volunteer", "mission"]
    raw_id_fields = ["mission", "volunteer", "nominated_by", "decided_by"]

    def get_readonly_fields(self, request, obj=None):
        # A placement counts under its mission's quota (places taken, the count tables): moved
        # to another mission or given to another volunteer, it would be counted where it is
        # not. The app nominates anew instead.
        return ["quota", "mission", "volunteer"] if obj is not None else ["quota"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.quota_id = obj.mission.quota_id
        super().save_model(request, obj, form, change)


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
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
