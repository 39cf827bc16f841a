"""Jobs (reports, exports) hold a lease while running (core/jobs.py): a job whose worker was lost
is taken back once its lease expires, a few times, then failed with a retry button; one whose
worker is alive is left alone; a transient database error gives the job back to the queue for
the task's autoretry. Whatever happens, a job is done once and leaves one file."""

from datetime import timedelta

import pytest
from django import db
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from config import celery_app
from core import jobs
from core.errors import DomainError
from core.tasks import enqueue
from reports import services
from reports.models import Report
from reports.services import RUN_REPORT, report_retry, report_run, reports_sweep
from tests.factories import MembershipFactory, VolunteerFactory, approved_agreement
from volunteers import export_jobs
from volunteers.models import VolunteerExport

pytestmark = pytest.mark.django_db

PAST = timedelta(seconds=1)


@pytest.fixture
def report():
    """A quota report (CSV: quick to render), requested and not yet run."""
    return services.report_request(
        kind=Report.Kind.QUOTA, agreement=approved_agreement(), format=Report.Format.CSV
    )


def lost_worker(job, *, attempts=1, lease_left=-PAST):
    """The row as a worker left it when it died mid-job (``lease_left`` < 0: lease expired)."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk).update(
        status="running", attempts=attempts, started_at=now, lease_expires_at=now + lease_left
    )


def files(settings, folder="reports"):
    path = settings.MEDIA_ROOT / folder
    return sorted(p.name for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_a_claim_takes_a_report_whose_lease_expired(report, settings):
    lost_worker(report)
    assert report_run(report.pk) is True
    report.refresh_from_db()
    assert (report.status, report.attempts, report.lease_expires_at) == ("done", 2, None)
    assert files(settings) == [report.file.name.split("/")[-1]]


def test_a_claim_sets_a_lease_of_the_configured_length(report, settings, monkeypatch):
    settings.JOB_LEASE_SECONDS = 42
    seen = {}

    def spy(claim):
        seen["lease"] = Report.objects.get(pk=claim.pk).lease_expires_at - timezone.now()

    monkeypatch.setattr(services, "_render", spy)
    report_run(report.pk)
    assert timedelta(seconds=40) < seen["lease"] <= timedelta(seconds=42)


def test_a_report_whose_worker_is_alive_is_neither_claimed_nor_retried_nor_swept(
    report, tasks_in_process
):
    lost_worker(report, lease_left=timedelta(minutes=5))
    assert report_run(report.pk) is False  # a second delivery of the task
    with pytest.raises(DomainError):
        report_retry(report=report)
    assert reports_sweep(older_than=timedelta(0)) == 0
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("running", 1)


def test_the_sweep_takes_back_an_expired_lease_and_the_report_ends_done_once(
    report, tasks_in_process, settings
):
    lost_worker(report)
    assert reports_sweep() == 1  # sent at once, however recent the request
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 2)
    assert reports_sweep(older_than=timedelta(0)) == 0
    assert report_run(report.pk) is False  # the dead worker's message, redelivered late
    assert len(files(settings)) == 1


def test_past_the_last_attempt_the_sweep_fails_the_report_and_the_retry_renders_it(
    report, tasks_in_process, settings, client, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 3
    lost_worker(report, attempts=3)
    assert report_run(report.pk) is False  # no attempt left: not claimed
    assert reports_sweep(older_than=timedelta(0)) == 0
    report.refresh_from_db()
    assert (report.status, report.lease_expires_at) == ("failed", None)
    assert "s’est arrêté 3 fois" in report.error  # in the report's language (French)

    client.force_login(report.agreement.party_a.memberships.get().user)
    fragment = client.get(reverse("reports:status", args=[report.pk])).content.decode()
    assert reverse("reports:retry", args=[report.pk]) in fragment

    with django_capture_on_commit_callbacks(execute=True):
        report_retry(report=report)  # the task runs in-process
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error) == ("done", 4, "")


def test_a_report_whose_lease_expired_can_be_retried_by_hand(
    report, tasks_in_process, django_capture_on_commit_callbacks
):
    lost_worker(report)
    with django_capture_on_commit_callbacks(execute=True):
        report_retry(report=report)
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 2)


def test_the_english_report_fails_with_an_english_message(tasks_in_process):
    report = services.report_request(
        kind=Report.Kind.QUOTA, agreement=approved_agreement(), format="csv", language="en"
    )
    lost_worker(report, attempts=3)
    reports_sweep()
    report.refresh_from_db()
    assert "stopped 3 times" in report.error


flaky_calls = []


def flaky_build(report):
    """The quota builder, after a database error on its first call."""
    flaky_calls.append(report.pk)
    if len(flaky_calls) == 1:
        raise db.OperationalError("server closed the connection unexpectedly")
    return import_string("exchanges.quota_report.build")(report)


@pytest.fixture
def flaky_builder(monkeypatch):
    flaky_calls.clear()
    monkeypatch.setitem(services.BUILDERS, Report.Kind.QUOTA, "tests.test_job_leases.flaky_build")


def test_a_transient_database_error_gives_the_report_back_to_the_queue(report, flaky_builder):
    with pytest.raises(db.OperationalError):
        report_run(report.pk)
    report.refresh_from_db()
    assert (report.status, report.attempts, report.lease_expires_at) == ("queued", 1, None)
    assert report_run(report.pk) is True  # what the task's autoretry does
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 2)


def test_the_task_retries_after_a_transient_database_error(
    report, flaky_builder, tasks_in_process, monkeypatch
):
    # In-process, Celery runs the retry at once when the error does not propagate.
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", False)
    assert enqueue(RUN_REPORT, report.pk)  # autoretry_for
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 2)
    assert flaky_calls == [report.pk, report.pk]


def test_any_other_error_fails_the_report(report, monkeypatch):
    def broken(claim):
        raise ValueError("year 10000 is out of range")

    monkeypatch.setattr(services, "_render", broken)
    assert report_run(report.pk) is True
    report.refresh_from_db()
    assert report.status == "failed" and "year 10000" in report.error


def test_a_worker_whose_lease_was_taken_back_writes_nothing(report, settings):
    slow = jobs.claim(Report, report.pk)  # a worker that takes too long…
    Report.objects.filter(pk=report.pk).update(lease_expires_at=timezone.now() - PAST)
    assert report_run(report.pk) is True  # …another takes the report back and renders it
    report.refresh_from_db()
    kept = files(settings)
    assert (report.status, report.attempts, len(kept)) == ("done", 2, 1)

    # The slow worker ends at last: its result and its file are dropped.
    late = Report.objects.get(pk=report.pk)
    assert slow.finish_with_file(late, "late.csv", ContentFile(b"late")) is False
    assert files(settings) == kept
    report.refresh_from_db()
    assert (report.status, report.attempts, report.size) == ("done", 2, late.size)
    assert slow.fail(error="too late") is False


# --- The same mechanism for the exports of the volunteer list ---------------------------------


@pytest.fixture
def export():
    membership = MembershipFactory(role="officer")
    VolunteerFactory.create_batch(3, sending_agency=membership.agency)
    return VolunteerExport.objects.create(
        requested_by=membership.user, format="csv", filters={}, language="fr"
    )


def test_an_export_whose_lease_expired_is_claimed_and_written_once(export, settings):
    lost_worker(export)
    assert export_jobs.volunteer_export_run(export_id=export.pk) is True
    assert export_jobs.volunteer_export_run(export_id=export.pk) is False
    export.refresh_from_db()
    assert (export.status, export.attempts, export.rows_written) == ("done", 2, 3)
    assert len(files(settings, "volunteers/exports")) == 1


def test_an_export_whose_worker_is_alive_is_left_alone(export):
    lost_worker(export, lease_left=timedelta(minutes=5))
    assert export_jobs.volunteer_export_run(export_id=export.pk) is False
    assert export_jobs.volunteer_export_restart(export=export) is False
    assert export_jobs.volunteer_exports_sweep(older_than=timedelta(0)) == 0


def test_the_sweep_takes_back_an_export_then_fails_it_after_the_last_attempt(
    export, tasks_in_process, settings
):
    lost_worker(export, attempts=settings.JOB_MAX_ATTEMPTS)
    export_jobs.volunteer_exports_sweep()
    export.refresh_from_db()
    assert export.status == "failed" and "Relancez" in export.message
    assert export_jobs.volunteer_export_restart(export=export) is True  # the task runs
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("done", settings.JOB_MAX_ATTEMPTS + 1)


def test_the_progress_of_an_export_renews_its_lease(export, monkeypatch, settings):
    settings.JOB_LEASE_SECONDS = 60
    leases = []
    renew = jobs.Claim.renew

    def spy(claim, **fields):
        renew(claim, **fields)
        leases.append(VolunteerExport.objects.get(pk=claim.pk).lease_expires_at)

    monkeypatch.setattr(jobs.Claim, "renew", spy)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    export_jobs.volunteer_export_run(export_id=export.pk)
    assert len(leases) >= 3 and leases == sorted(leases)
