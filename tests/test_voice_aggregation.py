"""The cohort's answers and insertion rates in its evaluations (page, PDF, frozen at
publication), the host assessment, the support actions and the follow-up reminders."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from evaluations import services as evaluation_services
from evaluations.models import Evaluation
from evaluations.reports import render_evaluation_html
from evaluations.selectors import evaluation_figures, figures_of
from missions.models import FollowUp
from missions.services import follow_up_record
from reports.pdf import render_pdf
from tests.factories import MembershipFactory, make_mission
from tests.test_pdf_layout import flat
from voice.insertion import follow_up_reminders_send
from voice.models import FollowUpReminder, Questionnaire, SupportAction
from voice.selectors import insertion_rates
from voice.services import host_assessment_save, questionnaire_answer, questionnaires_create

from .voice_helpers import ANSWERS, completed_placement

# E-mails and the certificate's rendering run in-process, even with a broker configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _answer(placement, **answers):
    questionnaires_create(today=placement.return_date + datetime.timedelta(days=1))
    questionnaire = Questionnaire.objects.get(placement=placement)
    return questionnaire_answer(
        questionnaire=questionnaire, answers={**ANSWERS, **answers}, submit=True
    )


@pytest.fixture
def cohort():
    """Three placements of one mission (cohort 2018): two answered, one pending."""
    mission = make_mission(places=4)
    placements = [completed_placement(mission=mission, email=f"v{n}@example.org") for n in range(3)]
    _answer(placements[0], satisfaction=5, comments="Très bon accueil", plan="job")
    _answer(placements[1], satisfaction=2, comments="", plan="study")
    host = MembershipFactory(agency=mission.quota.receiving, role="officer").user
    host_assessment_save(
        placement=placements[0],
        user=host,
        answers={
            "contribution": 4,
            "punctuality": 5,
            "integration": 3,
            "recommended": True,
            "comments": "Très impliquée",
        },
    )
    evaluation = evaluation_services.evaluation_create(
        evaluation=Evaluation(
            agreement=mission.quota.agreement,
            cohort="2018",
            agency=mission.quota.sending,
            title="Bilan 2018",
            period_start=datetime.date(2018, 1, 1),
            period_end=datetime.date(2018, 12, 31),
        ),
        scores=[],
        findings=[],
        user=None,
    )
    return evaluation, placements


def test_the_answers_are_counted_and_averaged_per_question(cohort):
    evaluation, _placements = cohort
    voice = evaluation_figures(evaluation=evaluation)["voice"]
    assert voice["questionnaires"] == 2 and voice["pending"] == 1
    scores = {row["question"]: row for row in voice["scores"]}
    assert scores["satisfaction"] == {"question": "satisfaction", "answers": 2, "average": 3.5}
    assert scores["preparation"]["average"] == 2.0
    assert voice["plans"] == {"job": 1, "study": 1}
    assert voice["comments"] == ["Très bon accueil"]
    assert voice["assessments"] == 1 and voice["recommended"] == 1
    assert voice["assessment_comments"] == ["Très impliquée"]


def test_the_page_and_the_pdf_show_them_without_names(cohort, client):
    evaluation, placements = cohort
    client.force_login(MembershipFactory(agency=evaluation.agency, role="evaluator").user)
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    text = flat(render_pdf(render_evaluation_html(evaluation, "fr")))
    for shown in (page, text):
        assert "Très bon accueil" in shown and "Satisfaction générale" in shown
        assert "3.5" in shown or "3,5" in shown
        for placement in placements:
            assert placement.volunteer.last_name not in shown


def test_publishing_freezes_the_answers(cohort):
    evaluation, placements = cohort
    evaluation_services.evaluation_publish(evaluation=evaluation, user=None)
    evaluation.refresh_from_db()
    before = figures_of(evaluation=evaluation).answers
    _answer(placements[2], satisfaction=1, comments="Arrivée tardive")
    assert evaluation_figures(evaluation=evaluation)["voice"]["questionnaires"] == 3
    assert figures_of(evaluation=evaluation).answers == before
    assert "Arrivée tardive" not in flat(render_pdf(render_evaluation_html(evaluation, "en")))


def test_insertion_rates_at_3_6_and_12_months(cohort):
    evaluation, placements = cohort
    agreement_id = evaluation.agreement_id
    # Nothing recorded: no rate (not 0 %).
    (row,) = insertion_rates(agreement_id=agreement_id)
    assert [m["rate"] for m in row["months"]] == [None, None, None]
    assert [m["due"] for m in row["months"]] == [3, 3, 3]

    def record(placement, month, situation):
        follow_up = FollowUp.objects.get(placement=placement, due_month=month)
        follow_up_record(follow_up=follow_up, user=None, situation=situation)

    record(placements[0], 3, "employed")
    record(placements[1], 3, "seeking_work")
    record(placements[2], 3, "other")  # neither inserted nor ignored
    record(placements[0], 6, "own_business")
    record(placements[1], 12, "volunteering")
    (row,) = insertion_rates(agreement_id=agreement_id)
    months = {m["month"]: m for m in row["months"]}
    assert (months[3]["recorded"], months[3]["inserted"], months[3]["rate"]) == (3, 1, 33)
    assert months[6]["rate"] == 100 and months[12]["rate"] == 100
    assert row["cohort"] == 2018
    # Another cohort, empty; and the evaluation's figures carry the same numbers.
    assert insertion_rates(agreement_id=agreement_id, cohort=2019)[0]["months"][0]["rate"] is None
    figures = evaluation_figures(evaluation=evaluation)
    assert [m["rate"] for m in figures["insertion_rates"]] == [33, 100, 100]


def test_the_agreement_page_loads_the_rates(cohort, client):
    evaluation, placements = cohort
    FollowUp.objects.filter(placement=placements[0], due_month=3).update(
        situation="studying", recorded_at=timezone.now()
    )
    client.force_login(MembershipFactory(agency=evaluation.agency, role="partner").user)
    agreement_page = client.get(evaluation.agreement.get_absolute_url()).content.decode()
    url = reverse("voice:agreement_insertion", args=[evaluation.agreement_id])
    assert url in agreement_page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "100 %" in fragment and "<html" not in fragment


def test_only_the_host_assesses_a_completed_placement(client):
    placement = completed_placement()
    url = reverse("voice:assess", args=[placement.pk])
    data = {"contribution": 5, "punctuality": 4, "integration": 5, "recommended": "true"}
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="manager").user)
    assert client.post(url, data).status_code == 403
    client.force_login(MembershipFactory(agency=placement.quota.receiving, role="officer").user)
    assert client.post(url, data).status_code == 302
    assert placement.host_assessment.contribution == 5 and placement.host_assessment.recommended
    page = client.get(reverse("voice:placement", args=[placement.pk])).content.decode()
    assert "5 / 5" in page and "Oui" in page


def test_support_actions_are_recorded_at_a_follow_up(client):
    placement = completed_placement()
    follow_up = FollowUp.objects.get(placement=placement, due_month=3)
    url = reverse("voice:support_action_add", args=[follow_up.pk])
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="partner").user)
    assert client.post(url, {"kind": "training", "outcome": "planned"}).status_code == 403
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="officer").user)
    client.post(url, {"kind": "nonsense", "outcome": "planned"})
    assert not SupportAction.objects.exists()
    client.post(url, {"kind": "mentoring", "outcome": "succeeded", "note": "Avec un ancien"})
    action = SupportAction.objects.get()
    assert (action.kind, action.outcome, action.follow_up) == ("mentoring", "succeeded", follow_up)
    page = client.get(reverse("voice:placement", args=[placement.pk])).content.decode()
    assert "Parrainage — Réussie: Avec un ancien" in page


def test_the_sending_agency_is_reminded_of_a_due_follow_up_once(
    django_capture_on_commit_callbacks,
):
    placement = completed_placement()
    officer = MembershipFactory(agency=placement.quota.sending, role="officer").user
    due = FollowUp.objects.get(placement=placement, due_month=3).due_date
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_reminders_send(today=due - datetime.timedelta(days=1)) == 0
        assert follow_up_reminders_send(today=due) == 1
        assert follow_up_reminders_send(today=due) == 0
    assert FollowUpReminder.objects.count() == 1
    sent = [m for m in mail.outbox if officer.email in m.to]
    assert len(sent) == 1 and "3 mois après le retour" in sent[0].subject
