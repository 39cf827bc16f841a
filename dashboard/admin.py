from django.contrib import admin

from .models import AlertAcknowledgement, AlertDigest


@admin.register(AlertAcknowledgement)
class AlertAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["agency", "kind", "key", "user", "at"]
    list_filter = ["kind"]
    list_select_related = ["agency", "user"]
    raw_id_fields = ["agency", "user"]


@admin.register(AlertDigest)
class AlertDigestAdmin(admin.ModelAdmin):
    list_display = ["user", "week", "alerts", "created_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
