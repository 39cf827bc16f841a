from django.urls import path

from . import views

app_name = "missions"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.mission_create, name="create"),
    path("inbox/", views.placement_inbox, name="inbox"),
    path("<int:pk>/", views.mission_detail, name="detail"),
    path("<int:pk>/edit/", views.mission_edit, name="edit"),
    path("<int:pk>/nominate/", views.mission_nominate, name="nominate"),
    path("placements/<int:pk>/nominee/", views.placement_nominee, name="nominee"),
    path(
        "placements/<int:pk>/nominee/proofs/<int:experience>/",
        views.placement_nominee_proof,
        name="nominee_proof",
    ),
    path("placements/<int:pk>/cancel/", views.placement_cancel, name="cancel"),
    path("placements/<int:pk>/confirm/", views.placement_confirm, name="confirm"),
    path("placements/<int:pk>/decline/", views.placement_decline, name="decline"),
    path("placements/<int:pk>/deploy/", views.placement_deploy, name="deploy"),
    path("placements/<int:pk>/complete/", views.placement_complete, name="complete"),
    path("placements/<int:pk>/withdraw/", views.placement_withdraw, name="withdraw"),
    path("follow-ups/<int:pk>/", views.follow_up_record, name="follow_up"),
    path("checklist/<int:pk>/", views.checklist_item_update, name="checklist_item"),
    path("checklist/<int:pk>/document/", views.checklist_document, name="checklist_document"),
]
