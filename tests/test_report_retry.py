"""Retrying a report: only a failed one goes back to the queue (reports.services.report_retry).
Members of the agencies a report concerns may press "retry", partners (read-only) may not; on
a report that is done or still running, the press must change nothing, or readers could make
the platform render reports again at will."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from reports import services
from reports.models import Report


@pytest.fixture
def pilot_report(demo):
    """The French PDF of the ANVT–CNPV pilot evaluation, rendered by the demo: done."""
    report = Report.objects.get(evaluation__agreement__reference="VIR-TG-ML-2017", language="fr")
    assert report.status == Report.Status.DONE and report.file
    return report


def _state(report):
    report.refresh_from_db()
    return (
        report.status,
        report.file.name,
        report.sha256,
        report.attempts,
        report.started_at,
        report.finished_at,
    )


def test_it_changes_nothing_when_a_done_report_is_retried(pilot_report, client, login):
    before = _state(pilot_report)
    login("cnpv-officer")  # a member of the partner agency
    response = client.post(reverse("reports:retry", args=[pilot_report.pk]))
    assert response.status_code == 302
    assert _state(pilot_report) == before
    with pytest.raises(DomainError):
        services.report_retry(report=pilot_report)
    assert _state(pilot_report) == before


def test_it_changes_nothing_when_a_running_report_is_retried(pilot_report):
    Report.objects.filter(pk=pilot_report.pk).update(status=Report.Status.RUNNING)
    before = _state(pilot_report)
    with pytest.raises(DomainError):
        services.report_retry(report=pilot_report)
    assert _state(pilot_report) == before


def test_a_partner_cannot_retry_a_failed_report_nor_sees_the_button(pilot_report, client, login):
    Report.objects.filter(pk=pilot_report.pk).update(status=Report.Status.FAILED, error="boom")
    before = _state(pilot_report)
    login("anvt-partner")
    page = client.get(reverse("reports:detail", args=[pilot_report.pk])).content.decode()
    assert 'data-status="failed"' in page
    assert reverse("reports:retry", args=[pilot_report.pk]) not in page
    response = client.post(reverse("reports:retry", args=[pilot_report.pk]))
    assert response.status_code == 403
    assert _state(pilot_report) == before


def test_an_officer_of_a_party_retries_a_failed_report(
    pilot_report, client, login, django_capture_on_commit_callbacks
):
    Report.objects.filter(pk=pilot_report.pk).update(status=Report.Status.FAILED, error="boom")
    login("cnpv-officer")
    page = client.get(reverse("reports:detail", args=[pilot_report.pk])).content.decode()
    assert reverse("reports:retry", args=[pilot_report.pk]) in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:retry", args=[pilot_report.pk]))
    assert response.status_code == 302
    pilot_report.refresh_from_db()
    assert pilot_report.status == Report.Status.QUEUED
