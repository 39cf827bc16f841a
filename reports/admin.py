from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "format", "language", "status", "agreement", "created_at"]
    list_filter = ["kind", "status", "format", "language"]
    search_fields = ["filename", "agreement__reference", "sha256"]
    list_select_related = ["agreement"]
    raw_id_fields = ["agreement", "agency", "evaluation", "requested_by"]
    # The file is private: the admin shows its name and hash, not a media link.
    exclude = ["file"]
    readonly_fields = ["filename", "sha256", "size", "started_at", "finished_at", "attempts"]
