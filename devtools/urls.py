"""Served only where the developer tools are installed (``DEVTOOLS``): never in production."""

from django.urls import path

from . import views

urlpatterns = [
    path("bench/bare", views.bare, name="bench_bare"),
]
