"""Evaluations: visibility, drafts frozen once published, corrections, follow-up, pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from evaluations import services
from evaluations.models import Evaluation, Finding
from reports.models import Report
from tests.factories import make_agreement
from tests.paging import rows_past_the_count
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
    # The refused score is marked where it was typed, its message beside it; every field of
    # the rows keeps a label (hidden in the score table, under its column's header).
    page = response.content.decode()
    value = re.search(r'<input[^>]*name="scores-0-value"[^>]*>(.*?)</div>', page, re.S)
    assert 'class="form-control is-invalid"' in value[0] and 'value="6"' in value[0]
    assert 'min="1"' in value[0] and 'max="5"' in value[0]
    assert "invalid-feedback" in value[1] and "inférieure ou égale à 5" in value[1]
    controls = re.findall(
        r'<(?:input|select|textarea)[^>]*name="(?:scores-0|findings-1)-[^>]*>', page
    )
    assert len(controls) > 8
    for control in controls:
        if 'type="hidden"' not in control:
            (control_id,) = re.findall(r'\sid="([^"]+)"', control)
            assert re.search(rf'<label[^>]*for="{control_id}"[^>]*>\s*\w', page), control
    assert '<label class="form-label visually-hidden" for="id_scores-0-value">' in page
    assert '<label class="form-label" for="id_findings-1-text">' in page


@pytest.mark.parametrize(
    ("what", "backwards", "in_order", "constraint", "message"),
    [
        ("period", ("2018-03-31", "2017-10-01"), ("2017-10-01", "2018-03-31"),
         "evaluation_period_in_order", "La fin de la période ne peut pas précéder son début."),
        ("visit", ("2018-02-10", "2018-02-01"), ("2018-02-01", "2018-02-10"),
         "evaluation_visit_in_order", "La fin de la visite ne peut pas précéder son début."),
    ],
)  # fmt: skip
def test_dates_ending_before_they_start_are_refused_in_words(
    pilot, login, client, what, backwards, in_order, constraint, message
):
    """Not the database constraint's name ("evaluation_period_in_order")."""
    login("anvt-evaluator")
    fields = (f"{what}_start", f"{what}_end")
    data = form_data(pilot, **dict(zip(fields, backwards, strict=True)))
    response = client.post(reverse("evaluations:create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and constraint not in page
    assert message in page
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()
    data = form_data(pilot, **dict(zip(fields, in_order, strict=True)))
    assert client.post(reverse("evaluations:create"), data).status_code == 302


def test_the_administrator_is_not_offered_a_host_structure_form_that_refuses_them(
    login, client, demo
):
    from agencies.models import Agency

    anvt = Agency.objects.get(acronym="ANVT")
    url = reverse("agencies:detail", args=[anvt.pk])
    login("admin")
    assert client.get(url).context["can_add_structure"] is False
    assert client.get(reverse("agencies:hoststructure_create")).status_code == 403
    login("anvt-manager")
    assert client.get(url).context["can_add_structure"] is True
    assert client.get(reverse("agencies:hoststructure_create")).status_code == 200


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


def test_a_correction_evaluates_the_agreement_of_the_version_it_corrects(pilot, login, client):
    from tests.factories import approved_agreement

    user = login("anvt-evaluator")
    draft = services.evaluation_new_version(evaluation=pilot, user=user)
    other = approved_agreement(party_a=pilot.agency, party_b=pilot.agreement.party_b)
    url = reverse("evaluations:edit", args=[draft.pk])
    page = client.get(url).content.decode()
    (select,) = re.findall(r'<select[^>]*name="agreement".*?</select>', page, re.S)
    assert " disabled" in select and pilot.agreement.reference in select
    assert other.reference not in select  # the one it corrects, only
    assert "A correction evaluates the agreement" in page or "Une correction évalue" in page
    # Another agreement posted: the field is not editable, the draft keeps the pilot's.
    data = form_data(pilot, agreement=other.pk, title="Corrigée")
    data.update({"findings-TOTAL_FORMS": "0", "scores-TOTAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.agreement) == ("Corrigée", pilot.agreement)
    # And the service refuses it whatever the form.
    draft.agreement = other
    with pytest.raises(
        DomainError, match=r"agreement of the version it corrects|la version qu’elle corrige"
    ):
        services.evaluation_update(evaluation=draft, scores=[], findings=[], user=user)
    assert Evaluation.objects.get(pk=draft.pk).agreement == pilot.agreement


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


def _evaluations_to_page(monkeypatch):
    """Evaluations seen by an officer of ``mine`` (its own, drafts included, and the published
    ones of its agreements) and others it must not see; a count of 4 and pages of 2."""
    import datetime

    import evaluations.views
    from core.pagination import CappedPaginator
    from tests.factories import AgencyFactory, AgreementFactory, MembershipFactory

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(evaluations.views, "PAGE_SIZE", 2)
    mine, partner, other = AgencyFactory(), AgencyFactory(), AgencyFactory()
    ours, theirs = AgreementFactory(party_a=mine, party_b=partner), AgreementFactory(party_a=other)
    published = {"status": "published", "published_at": "2019-01-01T00:00Z", "figures": {}}
    rows = [  # (agreement, author, published) — period ends repeat: the id orders the ties
        (ours, mine, False), (ours, partner, True), (ours, mine, True), (ours, partner, False),
        (ours, mine, False), (theirs, other, True), (ours, partner, True), (ours, mine, True),
        (ours, mine, False), (ours, partner, True), (theirs, other, False), (ours, mine, True),
    ]  # fmt: skip
    made = []
    for i, (agreement, author, is_published) in enumerate(rows):
        evaluation = Evaluation.objects.create(
            agreement=agreement, agency=author, cohort="2017", title=f"Bilan {i}",
            period_start=datetime.date(2017, 1, 1),
            period_end=datetime.date(2018, 1 + i % 3, 1),
            **(published if is_published else {}),
        )  # fmt: skip
        for _ in range(i % 3):
            evaluation.findings.create(axis="selection", kind="recommendation", text="À suivre.")
        evaluation.findings.create(axis="selection", kind="strength", text="Réussi.")
        made.append(evaluation)
    officer = MembershipFactory(agency=mine, role="officer").user
    return officer, made


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_every_evaluation_is_reached_past_the_count_in_the_lists_order(
    client, monkeypatch, admin_user, who
):
    """Latest period first, then the newest id: past the counted pages, "next" goes on after
    the last evaluation shown, and reaches each one the user sees exactly once."""
    officer, made = _evaluations_to_page(monkeypatch)
    user = officer if who == "officer" else admin_user
    client.force_login(user)
    mine, ours = made[0].agency_id, made[0].agreement_id
    visible = [
        e
        for e in made
        if who == "admin" or e.agency_id == mine or (e.is_published and e.agreement_id == ours)
    ]
    expected = [e.pk for e in sorted(visible, key=lambda e: (e.period_end, e.pk), reverse=True)]
    assert len(expected) == (12 if who == "admin" else 9)
    url = reverse("evaluations:index")
    rows = rows_past_the_count(
        client,
        url,
        counted_pages=2,  # 4 rows
        more="Plus de 4 évaluations.",
        beyond="au-delà des premières pages",
    )
    seen = [e.pk for e in rows]
    counts = {e.pk: e.recommendations for e in rows}
    assert seen == expected
    # The recommendations of each row (a subquery per row, strengths not counted).
    assert counts == {e.pk: made.index(e) % 3 for e in visible}
    # A position edited by hand (not base64, [], ["x"], ["x", 1]) starts again from the first
    # page.
    for broken in ("garbage", "W10", "WyJ4Il0", "WyJ4IiwxXQ"):
        assert client.get(url, {"after": broken}).context["page"].number == 1


def test_a_page_of_evaluations_past_the_count_shows_only_those_the_user_sees(client, monkeypatch):
    """A position is only where to start: one taken at an evaluation the user does not see
    reads on among those the user sees."""
    from core import keyset
    from evaluations.selectors import EVALUATION_ORDER

    officer, made = _evaluations_to_page(monkeypatch)
    client.force_login(officer)
    hidden = made[5]  # another agreement's
    page = client.get(
        reverse("evaluations:index"), {"after": keyset.position_of(hidden, EVALUATION_ORDER)}
    )
    shown = {e.pk for e in page.context["page"].object_list}
    assert shown and shown <= {e.pk for e in made} - {made[5].pk, made[10].pk}
    assert all(
        (e.period_end, e.pk) < (hidden.period_end, hidden.pk)
        for e in page.context["page"].object_list
    )


def test_a_page_of_evaluations_past_the_count_costs_the_queries_of_a_first_page(
    client, monkeypatch
):
    officer, _ = _evaluations_to_page(monkeypatch)
    client.force_login(officer)
    url = reverse("evaluations:index")
    first = queries_of(client, url)
    position = client.get(url, {"page": 2}).context["next_position"]
    deep = queries_of(client, f"{url}?after={position}")
    # Session, memberships, the page (its capped count and its recommendations counted in
    # it); past the count, the page without a count.
    assert deep <= first <= 3


@pytest.mark.postgres
def test_the_administrators_evaluation_list_reads_its_index_without_sorting(admin_user):
    """Newest period first across every agency: a range of ``evaluation_newest``, read in its
    order, the recommendations counted for the page's rows only."""
    import datetime
    import re

    from django.db import connection

    from core import keyset
    from evaluations.selectors import EVALUATION_ORDER, evaluation_list

    with connection.cursor() as cursor:
        for setting in ("seqscan", "sort", "hashjoin", "mergejoin"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
    evaluations = evaluation_list(user=admin_user)
    plan = evaluations[:50].explain()
    assert "evaluation_newest" in plan, plan
    assert "Sort" not in plan and "Aggregate" not in plan.split("SubPlan")[0], plan
    # Past the count: a range of the same index, starting at the position.
    position = keyset.after(EVALUATION_ORDER, [datetime.date(2018, 3, 1), 10])
    plan = evaluations.filter(position)[:51].explain()
    assert "evaluation_newest" in plan and "Sort" not in plan, plan
    assert re.search(r"Index Cond: \(.*period_end <= ", plan), plan


def test_a_criterion_scored_twice_is_refused_on_its_row_in_words(pilot, login, client):
    """Not Django's "Corrigez les données en double dans criterion" above the table."""
    login("anvt-evaluator")
    twice = {
        "scores-TOTAL_FORMS": "2",
        "scores-1-criterion": "relevance",
        "scores-1-value": "3",
        "scores-1-comment": "",
    }
    response = client.post(reverse("evaluations:create"), form_data(pilot, **twice))
    page = response.content.decode()
    assert response.status_code == 200 and "criterion" not in re.sub(r"<[^>]+>", "", page)
    assert "Ce critère est noté deux fois." in page
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()


@pytest.mark.parametrize("cohort", ["abc", "1800", "2030"])
def test_a_cohort_the_agreement_has_no_quota_for_is_refused_in_words(pilot, login, client, cohort):
    login("anvt-evaluator")
    response = client.post(reverse("evaluations:create"), form_data(pilot, cohort=cohort))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"La convention n’a pas de quota pour la promotion « {cohort} »" in page
    assert "2017" in page.split(f"« {cohort} »")[1][:200]  # the cohorts it has
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()


@pytest.mark.parametrize("field", ["findings-1-text", "scores-0-comment"])
def test_a_text_longer_than_a_pdf_cell_takes_is_refused_and_kept(pilot, login, client, field):
    """A recommendation and a score comment stop at 2,000 characters (a table cell of the
    evaluation PDF); the text typed comes back with its message."""
    login("anvt-evaluator")
    text = "mot " * 500 + "de trop"
    response = client.post(reverse("evaluations:create"), form_data(pilot, **{field: text}))
    assert response.status_code == 200
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()
    page = response.content.decode()
    assert "comporte au plus 2000 caractères (actuellement 2007)" in page
    assert "de trop" in page
    response = client.post(reverse("evaluations:create"), form_data(pilot, **{field: text[:2000]}))
    assert response.status_code == 302


def test_a_published_correction_replaces_its_version_everywhere(pilot, login, client):
    """Once version 2 is published, version 1's recommendations leave the alerts and the home
    page (version 2's stand for them), its page says it is replaced and links to version 2,
    and the list marks it. A correction still in draft replaces nothing."""
    from agencies.models import Agency
    from dashboard.alerts import alerts_for
    from dashboard.models import AlertKind
    from dashboard.selectors import dashboard

    user = login("anvt-evaluator")
    owner = Agency.objects.get(acronym="ANVT")
    manager = type(user).objects.get(username="anvt-manager")

    def followed():
        alerts = alerts_for(agency=owner, today=timezone.localdate())
        overdue = {a.key for a in alerts if a.kind == AlertKind.RECOMMENDATION_OVERDUE}
        board = dashboard(user=manager, agency=owner)
        shown = {str(f.pk) for f in board.recommendations_due}
        evaluations = Finding.objects.filter(pk__in=overdue | shown).values("evaluation")
        return set(evaluations.values_list("evaluation", flat=True).distinct())

    assert followed() == {pilot.pk}
    draft = services.evaluation_new_version(evaluation=pilot, user=user)
    assert followed() == {pilot.pk}
    page = client.get(reverse("evaluations:detail", args=[pilot.pk])).content.decode()
    assert 'data-testid="replaced-by"' not in page
    services.evaluation_publish(evaluation=draft, user=user)
    assert followed() == {draft.pk}
    page = client.get(reverse("evaluations:detail", args=[pilot.pk])).content.decode()
    assert "Remplacée par la version 2, publiée depuis" in page
    assert reverse("evaluations:detail", args=[draft.pk]) in page
    listed = client.get(reverse("evaluations:index")).content.decode()
    assert listed.count('data-testid="replaced"') == 1 and "remplacée par la v2" in listed


def test_an_owner_who_is_not_a_party_of_the_chosen_agreement_is_refused_in_words(
    pilot, login, client
):
    """Before an agreement is chosen, the owners offered are the parties of any of the
    agency's agreements: one of another agreement is refused with the rule, not with "Select
    a valid choice"."""
    from agencies.models import Agency

    login("anvt-evaluator")
    parties = (pilot.agreement.party_a_id, pilot.agreement.party_b_id)
    offered = client.get(reverse("evaluations:create")).context["findings"].forms[0]
    other = next(pk for pk, _label in offered.fields["owner"].choices if pk and pk not in parties)
    assert Agency.objects.filter(pk=other).exists()
    response = client.post(
        reverse("evaluations:create"), form_data(pilot, **{"findings-1-owner": other})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "L’agence responsable d’une recommandation doit être partie à la convention" in page
    assert "Sélectionnez un choix valide" not in page
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()


def test_an_agreement_never_approved_or_a_period_far_from_it_is_not_evaluated(pilot, login, client):
    """Found by a walk: an evaluation of a draft agreement, and one covering 2010 for an
    agreement from 2017, were saved."""
    login("anvt-evaluator")
    draft = make_agreement(
        party_a=pilot.agreement.party_a,
        party_b=pilot.agreement.party_b,
        quotas=[(2017, "ab", 2)],
        start_date=datetime.date(2017, 1, 1),
    )
    response = client.post(reverse("evaluations:create"), form_data(pilot, agreement=draft.pk))
    assert response.status_code == 200
    assert "jamais été approuvée par les deux parties" in response.content.decode()
    response = client.post(
        reverse("evaluations:create"),
        form_data(pilot, period_start="2010-01-01", period_end="2010-12-31"),
    )
    assert response.status_code == 200
    assert "doit recouper celle de la convention" in response.content.decode()
    assert not Evaluation.objects.filter(title="Bilan à mi-parcours").exists()
