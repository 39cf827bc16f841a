"""A real Celery worker on Redis renders an evaluation report end to end."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config import celery_app
from devtools.demo import load_demo
from evaluations.models import Evaluation
from reports.models import Report
from reports.services import report_request


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_a_requested_report(settings):
    assert not celery_app.conf.task_always_eager
    settings.DEBUG = True
    load_demo(render_reports=False)
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        report = report_request(
            kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement, language="en"
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in {Report.Status.DONE, Report.Status.FAILED}:
                break
            time.sleep(0.2)
    assert report.status == Report.Status.DONE, report.error
    assert report.file.read().startswith(b"%PDF")
