from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("switch/", views.switch_agency, name="switch"),
    path("downloads/", views.download_log, name="download_log"),
    path("host-structures/", views.host_structure_list, name="hoststructure_list"),
    path("host-structures/new/", views.host_structure_create, name="hoststructure_create"),
    path("host-structures/<int:pk>/", views.host_structure_detail, name="hoststructure_detail"),
    path("host-structures/<int:pk>/edit/", views.host_structure_edit, name="hoststructure_edit"),
]
