"""A published evaluation version is a record (issue 18, point 2): its figures are frozen at
publication, so its PDF and its page say the same thing forever; a draft shows today's."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Evaluation, Finding
from evaluations.reports import render_evaluation_html
from evaluations.selectors import evaluation_figures, figures_of
from missions.models import Placement
from reports.pdf import render_pdf
from tests.test_pdf_layout import flat
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(demo):
    return Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)


def _pdf_text(evaluation, language="fr") -> str:
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    return flat(render_pdf(render_evaluation_html(evaluation, language)))


def _nominate_and_cancel(evaluation) -> Placement:
    """A new nomination in the cohort (years after the evaluation), then withdrawn; and a
    recommendation's follow-up moving on."""
    done = Placement.objects.filter(
        quota__agreement=evaluation.agreement, quota__cohort=evaluation.cohort
    ).first()
    volunteer = (
        Volunteer.objects.filter(sending_agency=done.quota.sending)
        .exclude(placements__mission=done.mission)
        .first()
    )
    placement = Placement.objects.create(
        mission=done.mission, quota=done.quota, volunteer=volunteer
    )
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.WITHDRAWN)
    Finding.objects.filter(evaluation=evaluation, kind=Finding.Kind.RECOMMENDATION).update(
        follow_up=Finding.FollowUp.DONE
    )
    return placement


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_published_versions_pdf_is_the_same_after_placements_change(pilot, language):
    before = _pdf_text(pilot, language)
    live_before = evaluation_figures(evaluation=pilot)
    _nominate_and_cancel(pilot)
    # Today's figures did change (so the test could fail)...
    assert evaluation_figures(evaluation=pilot) != live_before
    # ...the published version's text did not.
    assert _pdf_text(pilot, language) == before
    assert "ANVT → CNPV 4 4 0" in before and "CNPV → ANVT 2 2 0" in before


def test_the_published_page_shows_the_frozen_figures_and_says_so(pilot, login, client):
    login("anvt-evaluator")
    url = reverse("evaluations:detail", args=[pilot.pk])
    before = client.get(url).content.decode()
    _nominate_and_cancel(pilot)
    after = client.get(url).content.decode()
    assert "Chiffres à la date de publication" in after

    def quotas_table(page):
        start = page.index('data-testid="evaluation-quotas"')
        return page[start : page.index("</table>", start)]

    assert quotas_table(after) == quotas_table(before)


def test_a_draft_shows_todays_figures_and_publishing_freezes_them(pilot, login, client):
    draft = services.evaluation_new_version(evaluation=pilot, user=pilot.created_by)
    assert draft.figures is None
    _nominate_and_cancel(pilot)
    figures = figures_of(evaluation=draft)
    assert not figures.frozen
    assert figures.placements_by_outcome.get("Retiré") == 1  # the withdrawn nomination, live
    login("anvt-evaluator")
    page = client.get(reverse("evaluations:detail", args=[draft.pk])).content.decode()
    assert "ils sont figés à la publication" in page

    services.evaluation_publish(evaluation=draft, user=pilot.created_by)
    draft.refresh_from_db()
    assert draft.figures == evaluation_figures(evaluation=draft)
    assert figures_of(evaluation=draft).frozen
    frozen_text = _pdf_text(draft)
    Placement.objects.filter(status=Placement.Status.WITHDRAWN).delete()
    assert _pdf_text(draft) == frozen_text
    assert "Retiré 1" in frozen_text


def test_a_published_version_without_figures_is_refused_by_the_database(pilot):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=pilot.pk).update(figures=None)


def test_the_migration_freezes_the_versions_published_before_it(pilot):
    """The backfill of the migration: the placements nominated up to the publication, the
    follow-ups recorded up to it."""
    migration = importlib.import_module(
        "evaluations.migrations.0005_evaluation_figures_frozen_at_publication"
    )
    frozen = migration.figures_as_of_publication(pilot, apps)
    assert frozen["quotas"] == pilot.figures["quotas"]
    assert frozen["placements_by_outcome"] == pilot.figures["placements_by_outcome"]
    # A nomination after the publication is not counted.
    Evaluation.objects.filter(pk=pilot.pk).update(published_at=timezone.now())
    pilot.refresh_from_db()
    placement = _nominate_and_cancel(pilot)
    Placement.objects.filter(pk=placement.pk).update(
        nominated_at=pilot.published_at + timezone.timedelta(days=1)
    )
    assert (
        migration.figures_as_of_publication(pilot, apps)["placements_by_outcome"]
        == (frozen["placements_by_outcome"])
    )
    # Run again over the published versions, it leaves their frozen figures alone.
    stored = Evaluation.objects.get(pk=pilot.pk).figures
    migration.freeze_published(apps, None)
    assert Evaluation.objects.get(pk=pilot.pk).figures == stored


def test_a_volunteer_back_early_is_not_counted_as_a_mission_accomplished(pilot):
    """Found by a walk: the PDF counted an early return (health) as "Mission accomplie", and
    said "Aucun constat" above the recommendations it lists."""
    draft = services.evaluation_new_version(evaluation=pilot, user=pilot.created_by)
    before = figures_of(evaluation=draft).placements_by_outcome["Mission accomplie"]
    back_early = Placement.objects.filter(
        quota__agreement=pilot.agreement, quota__cohort=pilot.cohort, status="completed"
    ).first()
    Placement.objects.filter(pk=back_early.pk).update(early_return_reason="health")
    figures = figures_of(evaluation=draft).placements_by_outcome
    assert (figures["Mission accomplie"], figures["Retour anticipé"]) == (before - 1, 1)
    Finding.objects.filter(evaluation=draft).exclude(kind=Finding.Kind.RECOMMENDATION).delete()
    assert Finding.objects.filter(evaluation=draft).exists()
    text = _pdf_text(draft)
    assert "Retour anticipé 1" in text
    assert "Aucun constat en dehors des recommandations ci-dessous" in text
