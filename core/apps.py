from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _

# Connects its receivers before the first request (core/after_response.py).
from . import (
    after_response,  # noqa: F401
    language_session,
    search,  # registers the ``unaccented`` transform on text fields
)
from .triggers import drop_triggers, ensure_triggers


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        pre_migrate.connect(drop_triggers, sender=self, dispatch_uid="core.triggers.drop")
        post_migrate.connect(ensure_triggers, sender=self, dispatch_uid="core.triggers.ensure")
        connection_created.connect(search.register_sqlite_function)
        user_logged_in.connect(
            language_session.remember_on_login, dispatch_uid="core.language_session"
        )
