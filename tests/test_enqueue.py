"""The one enqueuing helper returns within 3 seconds when the broker is dead or hung."""

import time

import pytest

from core.tasks import enqueue


@pytest.mark.parametrize("fixture", ["closed_port", "hung_port"])
def test_it_returns_false_within_3_seconds_when_the_broker_is_unreachable(
    request, task_on_broker, fixture
):
    port = request.getfixturevalue(fixture)
    task = task_on_broker(f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    assert enqueue(task) is False
    assert time.monotonic() - started < 3


def test_it_runs_the_task_in_process_in_eager_mode(db):
    """Without CELERY_BROKER_URL tasks run in-process (here forced, as CI sets a broker)."""
    from config import celery_app
    from core.models import WorkerHeartbeat
    from core.tasks import record_heartbeat

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        assert enqueue(record_heartbeat) is True
    finally:
        celery_app.conf.task_always_eager = previous
    assert WorkerHeartbeat.objects.count() == 1
