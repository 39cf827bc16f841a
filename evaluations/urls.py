from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.evaluation_create, name="create"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/edit/", views.evaluation_edit, name="edit"),
    path("<int:pk>/publish/", views.evaluation_publish, name="publish"),
    path("<int:pk>/new-version/", views.evaluation_new_version, name="new_version"),
    path("<int:pk>/report/", views.evaluation_request_report, name="request_report"),
    path("<int:pk>/history/", views.evaluation_history, name="history"),
    path(
        "recommendations/<int:pk>/status/",
        views.recommendation_status,
        name="recommendation_status",
    ),
]
