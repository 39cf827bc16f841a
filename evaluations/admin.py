from django.contrib import admin

from core.admin import CheckedAdminForm, HistoryAdmin

from .models import Evaluation, Finding, Score
from .services import check_author, check_cohort, check_owners


class EvaluationAdminForm(CheckedAdminForm):
    """A new evaluation's rules: written by a party of the agreement, for a cohort it has
    quotas for (an existing one keeps its agreement and agency: its recommendations' owners
    are parties of that agreement)."""

    def check(self, data):
        if "agreement" in data:
            evaluation = Evaluation(
                agreement=data["agreement"], agency=data["agency"], cohort=data["cohort"]
            )
            check_author(evaluation)
            check_cohort(evaluation)


class FindingAdminForm(CheckedAdminForm):
    """A recommendation's owner is a party of the evaluated agreement (the database refuses
    the rest; here, in words on the field)."""

    def check(self, data):
        evaluation = data.get("evaluation") or self.instance.evaluation
        check_owners(evaluation, [Finding(owner=data.get("owner"))])


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


class FindingInline(admin.StackedInline):
    model = Finding
    form = FindingAdminForm
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Evaluation)
class EvaluationAdmin(HistoryAdmin):
    form = EvaluationAdminForm
    list_display = ["title", "agreement", "cohort", "agency", "version", "status", "published_at"]
    list_filter = ["status", "agency"]
    search_fields = ["title", "agreement__reference", "cohort"]
    list_select_related = ["agreement", "agency"]
    autocomplete_fields = ["agreement", "agency"]
    raw_id_fields = ["previous"]
    readonly_fields = ["created_by", "created_at", "published_at", "published_by"]
    inlines = [ScoreInline, FindingInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "agreement", "agency"]


@admin.register(Finding)
class FindingAdmin(HistoryAdmin):
    form = FindingAdminForm
    list_display = ["evaluation", "axis", "kind", "owner", "due_date", "follow_up"]
    list_filter = ["kind", "axis", "follow_up"]
    search_fields = ["text", "evaluation__title"]
    list_select_related = ["evaluation", "owner"]
    raw_id_fields = ["evaluation"]


@admin.register(Score)
class ScoreAdmin(HistoryAdmin):
    list_display = ["evaluation", "criterion", "value"]
    list_filter = ["criterion"]
    search_fields = ["evaluation__title"]
    list_select_related = ["evaluation"]
    raw_id_fields = ["evaluation"]
