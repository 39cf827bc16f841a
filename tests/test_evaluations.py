"""Evaluations: visibility, drafts frozen once published, corrections, follow-up, pages."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from evaluations import services
from evaluations.models import Evaluation, Finding
from reports.models import Report
from tests.test_reports import queries_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(demo):
    return Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)


def form_data(pilot, **overrides):
    data = {
        "agreement": pilot.agreement_id,
        "cohort": "2017",
        "title": "Bilan à mi-parcours",
        "period_start": "2017-10-01",
        "period_end": "2018-03-31",
        "visit_start": "",
        "visit_end": "",
        "visit_place": "",
        "participants": "",
        "context": "",
        "method": "",
        "summary": "Un résumé.",
        "scores-TOTAL_FORMS": "1",
        "scores-INITIAL_FORMS": "0",
        "scores-0-criterion": "relevance",
        "scores-0-value": "4",
        "scores-0-comment": "Pertinent.",
        "findings-TOTAL_FORMS": "2",
        "findings-INITIAL_FORMS": "0",
        "findings-0-axis": "selection",
        "findings-0-kind": "strength",
        "findings-0-order": "1",
        "findings-0-text": "Sélection réussie.",
        "findings-1-axis": "return",
        "findings-1-kind": "recommendation",
        "findings-1-order": "2",
        "findings-1-text": "Suivre l’insertion.",
        "findings-1-owner": pilot.agreement.party_b_id,
        "findings-1-due_date": "2019-06-30",
        "findings-1-follow_up": "",
    }
    data.update(overrides)
    return data


def test_an_evaluator_drafts_an_evaluation_with_scores_and_findings(pilot, login, client):
    login("anvt-evaluator")
    response = client.post(reverse("evaluations:create"), form_data(pilot))
    assert response.status_code == 302, response.context["form"].errors
    draft = Evaluation.objects.get(title="Bilan à mi-parcours")
    assert draft.status == Evaluation.Status.DRAFT
    assert draft.agency.acronym == "ANVT"
    assert draft.scores.get().value == 4
    recommendation = draft.findings.get(kind="recommendation")
    assert recommendation.follow_up == Finding.FollowUp.OPEN
    assert recommendation.owner.acronym == "CNPV"


def test_a_score_out_of_1_to_5_is_refused(pilot, login, client):
    login("anvt-evaluator")
    response = client.post(
        reverse("evaluations:create"), form_data(pilot, **{"scores-0-value": "6"})
    )
    assert response.status_code == 200
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()


def test_drafts_are_seen_by_the_authoring_agency_only(pilot, login, client):
    draft = services.evaluation_new_version(evaluation=pilot, user=None)
    login("anvt-partner")
    assert client.get(reverse("evaluations:detail", args=[draft.pk])).status_code == 200
    login("cnpv-manager")
    assert client.get(reverse("evaluations:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("evaluations:detail", args=[pilot.pk])).status_code == 200
    login("gip-pnvb-partner")
    assert client.get(reverse("evaluations:detail", args=[pilot.pk])).status_code == 404


def test_a_published_evaluation_is_frozen(pilot):
    pilot.title = "Un autre titre"
    with pytest.raises(DomainError):
        services.evaluation_update(evaluation=pilot, scores=[], findings=[], user=None)
    pilot.refresh_from_db()
    assert pilot.title == "Évaluation de l’expérience pilote Togo–Mali 2017"
    assert pilot.findings.count() == 9


def test_a_correction_is_a_new_version_published_in_turn_with_its_report(pilot, login):
    user = login("anvt-evaluator")
    draft = services.evaluation_new_version(evaluation=pilot, user=user)
    assert (draft.version, draft.previous, draft.status) == (2, pilot, "draft")
    assert draft.findings.count() == pilot.findings.count()
    assert draft.scores.count() == 6
    with pytest.raises(DomainError):
        services.evaluation_new_version(evaluation=pilot, user=user)
    draft.title = "Évaluation corrigée"
    services.evaluation_update(
        evaluation=draft,
        scores=list(draft.scores.all()),
        findings=list(draft.findings.all()),
        user=user,
    )
    report = services.evaluation_publish(evaluation=draft, user=user)
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == user
    assert (report.evaluation, report.language, report.requested_by) == (draft, "fr", user)
    assert pilot.title != draft.title


def test_publishing_requests_a_french_report_rendered_after_commit(
    pilot, django_capture_on_commit_callbacks, monkeypatch
):
    from config import celery_app

    # The task runs in process here (a worker on Redis is tested in test_report_worker).
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    draft = services.evaluation_new_version(evaluation=pilot, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.evaluation_publish(evaluation=draft, user=None)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.sha256 and report.size


def test_a_recommendation_follow_up_changes_after_publication(pilot, login, client):
    recommendation = pilot.findings.get(
        kind="recommendation", owner__acronym="CNPV", axis="preparation"
    )
    url = reverse("evaluations:recommendation_status", args=[recommendation.pk])
    login("cnpv-officer")
    assert client.post(url, {"follow_up": "in_progress"}).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.follow_up == "in_progress"
    login("cnpv-partner")
    assert client.post(url, {"follow_up": "done"}).status_code == 403


def test_the_evaluation_pages_show_the_pilot(pilot, login, client):
    login("cnpv-partner")
    page = client.get(reverse("evaluations:detail", args=[pilot.pk])).content.decode()
    assert "Évaluation de l’expérience pilote Togo–Mali 2017" in page
    assert "Visas et billets d’avion obtenus dans les dernières semaines" in page
    assert "Préparation" in page
    history = client.get(reverse("evaluations:history", args=[pilot.pk]))
    assert history.status_code == 200


def test_the_list_makes_the_same_number_of_queries_whatever_the_rows(pilot, login, client):
    login("anvt-manager")
    url = reverse("evaluations:index")
    client.get(url)
    few = queries_of(client, url)
    # Session user, memberships, agreements, owners: not one owner query per finding form.
    assert few <= 4
    for _ in range(5):
        draft = services.evaluation_new_version(evaluation=pilot, user=None)
        Evaluation.objects.filter(pk=draft.pk).update(previous=None)
    assert Evaluation.objects.count() == 6
    assert queries_of(client, url) == few


def test_the_evaluation_form_reads_its_choices_in_the_same_queries_for_few_and_many(
    demo, login, client
):
    """The agreement select and the owners of the three empty findings: one query each,
    whatever their number (owners read once for the formset, not once per finding form)."""
    from tests.factories import approved_agreement

    anvt = login("anvt-evaluator").memberships.get().agency
    url = reverse("evaluations:create")

    few = queries_of(client, url)
    # Session user, memberships, agreements, owners: not one owner query per finding form.
    assert few <= 4
    made = [approved_agreement(party_a=anvt, quotas=[(2017, "ab", 1)]) for _ in range(5)]
    assert queries_of(client, url) == few
    html = client.get(url).content.decode()
    assert all(a.reference in html and a.party_b.acronym in html for a in made)
