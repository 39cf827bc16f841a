from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("exchanges/", views.exchanges, name="home_exchanges"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
