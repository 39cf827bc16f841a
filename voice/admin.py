from django.contrib import admin

from .models import Certificate, HostAssessment, Questionnaire, QuestionnaireMessage, SupportAction


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["placement", "language", "created_at", "submitted_at"]
    list_select_related = ["placement__volunteer", "placement__mission"]
    raw_id_fields = ["placement"]


@admin.register(QuestionnaireMessage)
class QuestionnaireMessageAdmin(admin.ModelAdmin):
    list_display = ["questionnaire", "kind", "sent_at"]
    raw_id_fields = ["questionnaire"]


@admin.register(HostAssessment)
class HostAssessmentAdmin(admin.ModelAdmin):
    list_display = ["placement", "contribution", "punctuality", "integration", "recommended"]
    raw_id_fields = ["placement", "assessed_by"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "placement", "issued_at", "revoked_at"]
    raw_id_fields = ["placement", "report"]
    readonly_fields = ["code", "facts"]


@admin.register(SupportAction)
class SupportActionAdmin(admin.ModelAdmin):
    list_display = ["follow_up", "kind", "outcome", "recorded_at"]
    raw_id_fields = ["follow_up", "recorded_by"]
