from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, HostStructure, Membership, Theme

User = get_user_model()


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["acronym", "name", "country", "kind", "is_active"]
    list_filter = ["kind", "is_active", "country"]
    search_fields = ["acronym", "name"]


@admin.register(HostStructure)
class HostStructureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "city", "country", "agency", "is_active"]
    list_filter = ["kind", "is_active", "country", "agency"]
    search_fields = ["name", "city", "contact_person", "email"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["themes"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
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
