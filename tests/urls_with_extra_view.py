"""The project's URLs plus one view that the access matrix does not know (see its test)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("extra/", lambda request: HttpResponse("ok"), name="extra-view-without-rows"),
]
