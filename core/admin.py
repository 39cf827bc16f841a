from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .errors import DomainError, add_form_error
from .models import OutgoingEmail, WorkerHeartbeat

admin.site.site_header = _("Reciprocity administration")
admin.site.site_title = _("Reciprocity")


class CheckedAdminForm(forms.ModelForm):
    """An admin form that runs the rules the services apply to its model (``check``, raising
    ``DomainError``) once the fields are valid: a refusal is shown on its field, in words, as
    the app's forms show it, instead of a row the app would refuse or a database error."""

    def check(self, data: dict) -> None:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.check(data)
            except DomainError as error:
                add_form_error(self, error)
        return data


class _ChoiceLabels(HistoricalRecordContextHelper):
    """The history's changes with a choice's label ("Statut : En mission → Revenu"), not its
    code ("deployed → returned")."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and isinstance(value, str | int):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin with the changes of its history page in words (its list of
    versions, ``templates/simple_history/object_history_list.html``, writes the reasons in the
    reader's language)."""

    def get_historical_record_context_helper(self, request, historical_record):
        return _ChoiceLabels(self.model, historical_record)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, what waits, what failed and why."""

    list_display = ["created_at", "subject", "recipients", "status", "attempts", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
