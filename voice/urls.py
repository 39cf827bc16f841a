from django.urls import path

from . import views

app_name = "voice"

urlpatterns = [
    # Public: the volunteer's personal link (no account) and the verification of a certificate.
    path("q/<str:token>/", views.answer, name="answer"),
    path("q/<str:token>/language/", views.answer_language, name="language"),
    path("q/<str:token>/certificate/", views.answer_certificate, name="certificate"),
    path("verify/<str:code>/", views.verify, name="verify"),
    # Staff.
    path("voice/placements/<int:pk>/", views.placement_record, name="placement"),
    path("voice/placements/<int:pk>/assessment/", views.assess, name="assess"),
    path(
        "voice/certificates/<int:pk>/download/",
        views.certificate_download,
        name="certificate_download",
    ),
    path(
        "voice/certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"
    ),
    path("voice/follow-ups/<int:pk>/support/", views.support_action_add, name="support_action_add"),
    path(
        "voice/agreements/<int:pk>/insertion/",
        views.agreement_insertion,
        name="agreement_insertion",
    ),
]
