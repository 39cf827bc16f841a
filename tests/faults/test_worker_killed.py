"""A real Celery worker killed (SIGKILL) in the middle of a render: the report does not stay
"running" forever. Its lease expires, the sweep (as beat runs it) takes it back, a new worker
renders it: done once, one file, two attempts; a late delivery of the lost message does nothing.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from core.tasks import enqueue
from reports.models import Report
from reports.services import report_request, report_run
from tests.factories import approved_agreement

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
LEASE_SECONDS = 3


def _database_url() -> str:
    """The test database (rows committed by a transactional test), for another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@pytest.fixture
def start_worker(settings, tmp_path):
    """``start_worker(name, slow_seconds)``: a real worker process (``--pool=solo``) on the
    test database, the test's media folder and broker, with a lease of a few seconds; every
    worker started is killed at the end, whatever happens."""
    workers = []

    def start(name, slow_seconds):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "SLOW_RENDER_SECONDS": str(slow_seconds),
            "DEBUG": "1",
            "PYTHONPATH": str(ROOT),
        }
        log = (tmp_path / f"{name}.log").open("w")
        command = [str(CELERY), "-A", "tests.faults.slow_worker", "worker", "--pool=solo"]
        command += ["--loglevel=info", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "-n", f"{name}@%h"]
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed whole
        )
        workers.append((worker, log))
        return worker

    yield start
    for worker, log in workers:
        kill(worker)
        log.close()


def kill(worker):
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_for(report, condition, seconds, logs):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if condition(report):
            return
        time.sleep(0.2)
    pytest.fail(
        f"report {report.status}, attempts {report.attempts}; worker logs:\n"
        + "\n".join(p.read_text()[-3000:] for p in sorted(logs.glob("*.log")))
    )


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_mid_render_ends_done_once(
    start_worker, settings, tmp_path
):
    settings.DEBUG = True
    first = start_worker("first", slow_seconds=120)
    report = report_request(
        kind=Report.Kind.QUOTA, agreement=approved_agreement(), format=Report.Format.CSV
    )
    assert report.enqueued is True

    # The first worker claims the report and sleeps in its render: kill it there, whole.
    wait_for(report, lambda r: r.status == "running", 40, tmp_path)
    assert report.attempts == 1 and report.lease_expires_at is not None
    kill(first)
    report.refresh_from_db()
    assert report.status == "running"  # what the dead worker leaves behind

    # A new worker; once the lease has expired, beat's sweep takes the report back.
    start_worker("second", slow_seconds=0)
    time.sleep(max(0.0, (report.lease_expires_at - timezone.now()).total_seconds()) + 0.5)
    assert enqueue("reports.tasks.sweep_reports")
    wait_for(report, lambda r: r.status in {"done", "failed"}, 40, tmp_path)

    assert (report.status, report.attempts, report.error) == ("done", 2, "")
    rendered = sorted((settings.MEDIA_ROOT / "reports").iterdir())
    assert [p.name for p in rendered] == [Path(report.file.name).name]
    content = report.file.read()
    assert hashlib.sha256(content).hexdigest() == report.sha256 and len(content) == report.size

    # The dead worker's message, delivered again at last (Redis's visibility timeout): nothing.
    assert report_run(report.pk) is False
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 2)
    assert len(list((settings.MEDIA_ROOT / "reports").iterdir())) == 1
