from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.admin import CheckedAdminForm, HistoryAdmin

from .models import Agency, DownloadRecord, HostStructure, Membership, Theme
from .services import check_host_structure

User = get_user_model()


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["acronym", "name", "country", "kind", "is_active"]
    list_filter = ["kind", "is_active", "country"]
    search_fields = ["acronym", "name__unaccented"]


class HostStructureAdminForm(CheckedAdminForm):
    """The rules of the app's form (``services.check_host_structure``): in the managing
    agency's country, and kept by the agency of its missions."""

    def check(self, data):
        agency = data.get("agency")
        if agency is None:
            return
        stored = (
            HostStructure.objects.select_related("agency").get(pk=self.instance.pk)
            if self.instance.pk is not None
            else HostStructure()
        )
        check_host_structure(structure=stored, agency=agency, country=data.get("country"))


@admin.register(HostStructure)
class HostStructureAdmin(HistoryAdmin):
    form = HostStructureAdminForm
    list_display = ["name", "kind", "city", "country", "agency", "is_active"]
    list_filter = ["kind", "is_active", "country", "agency"]
    search_fields = [
        "name__unaccented",
        "city__unaccented",
        "contact_person__unaccented",
        "email",
    ]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["themes"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__email", "agency__acronym"]
    list_select_related = ["user", "agency"]
    autocomplete_fields = ["user", "agency"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


admin.site.unregister(User)


@admin.register(User)
class ReciprocityUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(DownloadRecord)
class DownloadRecordAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the download views, never by hand."""

    list_display = ["at", "username", "agency", "kind", "label", "ip"]
    list_filter = ["kind", "agency"]
    search_fields = ["username", "label"]
    list_select_related = ["agency"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
