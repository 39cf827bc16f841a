"""The broker down (nothing listens) or hung (it accepts and never answers): a user who asks for
a report is answered at once, the report waits in the database, and once the broker is back the
sweep sends it and a real worker renders it, once."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse

from config import celery_app
from exchanges.models import Agreement
from reports.models import Report
from reports.services import RUN_REPORT, reports_sweep

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("fault", ["closed_port", "hung_port"])
def test_a_report_asked_for_while_the_broker_is_away_is_rendered_once_it_is_back(
    request, fault, client, login, demo, monkeypatch, task_on_broker
):
    port = request.getfixturevalue(fault)
    real_task = celery_app.tasks[RUN_REPORT]
    dead = task_on_broker(f"redis://127.0.0.1:{port}/0", RUN_REPORT)
    monkeypatch.setitem(celery_app.tasks, RUN_REPORT, dead)
    user = login("anvt-officer")
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    data = {"scope": "agreement", "agreement": agreement.pk, "file_format": "csv",
            "language": "fr", "threshold": 2, "delimiter": ";"}  # fmt: skip

    response = client.post(reverse("exchanges:quota_report"), data, follow=True)
    # The request waited on the broker once, bounded by its timeouts (not 19 s, not forever).
    assert len(dead.publish_seconds) == 1 and dead.publish_seconds[0] < 3
    assert response.status_code == 200
    assert "sera produit dès son retour" in response.content.decode()
    report = Report.objects.get(kind="quota", requested_by=user)
    assert report.status == "queued"

    # Still away: the sweep sends nothing and loses nothing.
    assert reports_sweep(older_than=timedelta(0)) == 0
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("queued", 0)

    # The broker is back (the real Redis of CELERY_BROKER_URL) with a real worker: two sweeps,
    # one rendering.
    monkeypatch.setitem(celery_app.tasks, RUN_REPORT, real_task)
    monkeypatch.setenv("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)  # Celery reads it first
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert reports_sweep(older_than=timedelta(0)) == 1
        reports_sweep(older_than=timedelta(0))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in {"done", "failed"}:
                break
            time.sleep(0.2)
    assert (report.status, report.attempts) == ("done", 1), report.error
    assert "VIR-TG-ML-2017;2017;ANVT;CNPV;4;" in report.file.read().decode("utf-8-sig")
