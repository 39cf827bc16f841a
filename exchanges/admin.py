from django.contrib import admin

from core.admin import CheckedAdminForm, HistoryAdmin

from .models import Agreement, AgreementVersion, Approval, Quota
from .services import QuotaData, agreement_record_version, check_quota_row


class QuotaAdminForm(CheckedAdminForm):
    """The rules of the agreement's form (``services.check_quota_row``): a quota from one
    party to the other, in a cohort of the agreement, of a mission duration within the
    agreement's, with no fewer places than its placements took."""

    def check(self, data):
        # In an agreement's page the agreement as typed there (unsaved when new).
        agreement = data.get("agreement") or self.instance.agreement
        if None in (agreement.start_date, agreement.end_date, agreement.party_a_id):
            return  # the agreement's own form is in error: its errors come first
        sending, receiving = data.get("sending"), data.get("receiving")
        check_quota_row(
            agreement,
            QuotaData(
                cohort=data.get("cohort"),
                sending_id=sending.pk if sending else None,
                receiving_id=receiving.pk if receiving else None,
                places=data.get("places") or 0,
                duration_months=data.get("duration_months"),
            ),
            pk=self.instance.pk,
        )


class QuotaInline(admin.TabularInline):
    model = Quota
    form = QuotaAdminForm
    extra = 0
    fields = ["cohort", "sending", "receiving", "places", "approved_places", "duration_months"]
    readonly_fields = ["approved_places"]
    autocomplete_fields = ["sending", "receiving"]


@admin.register(Agreement)
class AgreementAdmin(HistoryAdmin):
    list_display = ["reference", "title", "party_a", "party_b", "start_date", "end_date", "status"]
    list_filter = ["status", "themes", "party_a", "party_b"]
    search_fields = ["reference", "title__unaccented", "party_a__acronym", "party_b__acronym"]
    list_select_related = ["party_a", "party_b"]
    autocomplete_fields = ["party_a", "party_b"]
    filter_horizontal = ["themes"]
    readonly_fields = ["current_version", "last_approved_version", "created_by", "created_at"]
    date_hierarchy = "start_date"
    inlines = [QuotaInline]

    def save_related(self, request, form, formsets, change):
        # A correction in the admin changes the substance like any other edit: version it, so
        # that no approval ever covers a text that differs from what the parties read.
        super().save_related(request, form, formsets, change)
        agreement_record_version(agreement=form.instance, user=request.user)


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    can_delete = False
    fields = ["agency", "user", "approved_at", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    """Versions and approvals are records: read them, never change them."""

    list_display = ["agreement", "number", "sha256", "created_by", "created_at"]
    list_filter = ["agreement__status"]
    search_fields = ["agreement__reference", "sha256"]
    list_select_related = ["agreement", "created_by"]
    readonly_fields = ["agreement", "number", "canonical", "sha256", "created_by", "created_at"]
    inlines = [ApprovalInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ["version", "agency", "user", "approved_at"]
    list_filter = ["agency"]
    search_fields = ["version__agreement__reference", "user__username", "sha256"]
    list_select_related = ["version__agreement", "agency", "user"]
    readonly_fields = ["version", "agency", "user", "approved_at", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Quota)
class QuotaAdmin(HistoryAdmin):
    form = QuotaAdminForm
    list_display = ["agreement", "cohort", "sending", "receiving", "places", "approved_places"]
    list_filter = ["cohort", "sending", "receiving"]
    search_fields = ["agreement__reference"]
    list_select_related = ["agreement", "sending", "receiving"]
    readonly_fields = ["approved_places"]
    autocomplete_fields = ["agreement", "sending", "receiving"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        agreement_record_version(agreement=obj.agreement, user=request.user)

    def delete_model(self, request, obj):
        agreement = obj.agreement
        super().delete_model(request, obj)
        agreement_record_version(agreement=agreement, user=request.user)
