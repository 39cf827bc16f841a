from django.urls import path

from . import report_views, views

app_name = "exchanges"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.agreement_create, name="create"),
    path("quota-report/", report_views.quota_report_create, name="quota_report"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/submit/", views.agreement_submit, name="submit"),
    path("<int:pk>/approve/", views.agreement_approve, name="approve"),
    path("<int:pk>/suspend/", views.agreement_suspend, name="suspend"),
    path("<int:pk>/resume/", views.agreement_resume, name="resume"),
    path("<int:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("<int:pk>/versions/", views.agreement_versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.agreement_version, name="version"),
    path("<int:pk>/compare/", views.agreement_compare, name="compare"),
    path("<int:pk>/document/", views.agreement_document, name="document"),
]
