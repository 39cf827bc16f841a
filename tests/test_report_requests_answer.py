"""Asking for a report answers at once (issue 18, point 4): the request records the report and
enqueues it; with tasks run in-process (no broker, development) the rendering runs after the
response has been sent, not inside it. The page then shows one status, the row's, and the
reports list shows each file's format beside its size."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.client import ClientHandler, RequestFactory
from django.urls import reverse

from evaluations.models import Evaluation
from exchanges.models import Agreement
from reports.models import Report
from reports.services import report_request


def _answer_without_sending(client, url, data):
    """The response to a POST as the server holds it before sending it: the request has run,
    the response is not yet closed (``response.close()`` is the server saying it has sent it).
    The test client would close it at once; this does the client's steps, stopping before."""
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    request = RequestFactory().post(url, data, HTTP_COOKIE=cookie)
    request._dont_enforce_csrf_checks = True
    handler = ClientHandler(enforce_csrf_checks=False)
    handler.load_middleware()
    request_started.disconnect(close_old_connections)
    request_started.send(sender=ClientHandler, environ=request.environ)
    request_started.connect(close_old_connections)
    return handler.get_response(request)


def _close(response) -> None:
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


# Transactional: the report is enqueued when the request's transaction commits, as in production.
@pytest.mark.django_db(transaction=True)
def test_producing_a_pdf_records_it_and_renders_it_only_after_the_response(
    client, login, demo, tasks_in_process
):
    user = login("cnpv-partner")
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    data = {"scope": "agreement", "agreement": agreement.pk, "file_format": "pdf",
            "language": "fr", "threshold": 2, "delimiter": ","}  # fmt: skip
    response = _answer_without_sending(client, reverse("exchanges:quota_report"), data)
    report = Report.objects.get(kind="quota", requested_by=user)
    assert response.status_code == 302
    assert response.url == reverse("reports:detail", args=[report.pk])
    # The answer is ready and nothing was rendered: recorded and enqueued only.
    assert (report.status, report.attempts, report.file.name) == ("queued", 0, "")
    _close(response)  # sent: the in-process task runs now
    report.refresh_from_db()
    assert (report.status, report.format) == ("done", "pdf")
    assert report.file.read().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_after_asking_for_the_pdf_the_page_shows_the_rows_status_only(
    client, login, demo, tasks_in_process
):
    login("anvt-evaluator")
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    response = client.post(
        reverse("evaluations:request_report", args=[pilot.pk]), {"language": "en"}, follow=True
    )
    report = Report.objects.filter(evaluation=pilot, language="en").get()
    assert response.redirect_chain[-1][0] == reverse("reports:detail", args=[report.pk])
    page = response.content.decode()
    assert report.status == "done"
    assert 'data-status="done"' in page and "Rapport demandé." in page
    # No message guessing the status: nothing says "being produced" beside "done".
    assert "En cours" not in page and "en cours" not in page


@pytest.mark.django_db
def test_the_reports_list_shows_each_files_format_beside_its_size(client, login, demo):
    login("anvt-manager")
    page = client.get(reverse("reports:index")).content.decode()
    assert page.count('data-testid="report-format"') == Report.objects.count()
    assert 'data-testid="report-format">PDF<' in page
    assert 'data-testid="report-format">CSV<' in page
    assert "Télécharger (PDF, " in page and "Télécharger (CSV, " in page


@pytest.mark.django_db
def test_outside_a_request_an_in_process_task_runs_at_once(
    demo, tasks_in_process, django_capture_on_commit_callbacks
):
    """A command, the monthly run or a test calling the service: no response to wait for."""
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(kind=Report.Kind.EVALUATION, evaluation=pilot, language="en")
    assert report.enqueued is True
    report.refresh_from_db()
    assert report.status == "done"
