from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("alerts/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
