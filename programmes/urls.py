from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<int:pk>/report/", views.report_request, name="report"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/assess/", views.assess, name="assess"),
    path("applications/<int:pk>/support/", views.support_add, name="support_add"),
    path("applications/<int:pk>/missions/", views.link_mission, name="link_mission"),
    path("calls/<int:pk>/notify/", views.notify, name="notify"),
    # Public: the call's form and the applicant's link (no account).
    path("calls/<slug:slug>/apply/", views.apply, name="apply"),
    path("calls/<slug:slug>/applied/", views.applied, name="applied"),
    path("application/<str:token>/", views.amend, name="amend"),
    path("application/<str:token>/operator/", views.choose_operator, name="choose_operator"),
]
