from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/personal-data/", views.personal_data, name="personal_data"),
    path("<int:pk>/anonymise/", views.anonymise, name="anonymise"),
    path("proofs/<int:pk>/", views.proof, name="proof"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
]
