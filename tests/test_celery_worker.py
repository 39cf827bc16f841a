"""A real Celery worker consumes from Redis and runs a task end to end."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config import celery_app
from core.models import WorkerHeartbeat
from core.tasks import enqueue, record_heartbeat


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_an_enqueued_task():
    assert not celery_app.conf.task_always_eager
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert enqueue(record_heartbeat) is True
        deadline = time.monotonic() + 20
        while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert WorkerHeartbeat.objects.count() == 1
