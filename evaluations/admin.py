from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Evaluation, Finding, Score


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "agreement", "cohort", "agency", "version", "status", "published_at"]
    list_filter = ["status", "agency"]
    search_fields = ["title", "agreement__reference", "cohort"]
    list_select_related = ["agreement", "agency"]
    autocomplete_fields = ["agreement", "agency"]
    raw_id_fields = ["previous"]
    readonly_fields = ["created_by", "created_at", "published_at", "published_by"]
    inlines = [ScoreInline, FindingInline]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["evaluation", "axis", "kind", "owner", "due_date", "follow_up"]
    list_filter = ["kind", "axis", "follow_up"]
    search_fields = ["text", "evaluation__title"]
    list_select_related = ["evaluation", "owner"]
    raw_id_fields = ["evaluation"]


@admin.register(Score)
class ScoreAdmin(SimpleHistoryAdmin):
    list_display = ["evaluation", "criterion", "value"]
    list_filter = ["criterion"]
    search_fields = ["evaluation__title"]
    list_select_related = ["evaluation"]
    raw_id_fields = ["evaluation"]
