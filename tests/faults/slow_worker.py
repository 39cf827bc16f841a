"""The project's Celery app with the quota report builder slowed down by ``SLOW_RENDER_SECONDS``
(test-only: tests/faults/test_worker_killed.py runs it as a real worker and kills it mid-render).

    celery -A tests.faults.slow_worker worker --pool=solo
"""

import os
import time

import django
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config import celery_app as app  # noqa: E402
from reports import services  # noqa: E402
from reports.models import Report  # noqa: E402

__all__ = ["app"]

REAL_BUILDER = services.BUILDERS[Report.Kind.QUOTA]


def slow_build(report):
    time.sleep(float(os.environ.get("SLOW_RENDER_SECONDS", "0")))
    return import_string(REAL_BUILDER)(report)


services.BUILDERS[Report.Kind.QUOTA] = f"{__name__}.slow_build"
