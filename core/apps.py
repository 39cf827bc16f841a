from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Connects its receivers before the first request (core/after_response.py).
from . import after_response  # noqa: F401


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")
