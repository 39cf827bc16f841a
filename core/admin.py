from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import WorkerHeartbeat

admin.site.site_header = _("Reciprocity administration")
admin.site.site_title = _("Reciprocity")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen"]
