"""Demo data of the volunteers' voice, called by ``devtools.demo.load_demo`` after the missions
and before the evaluations (whose published figures then include the answers).

The ANVT–CNPV 2017 cohort: three Togolese volunteers back from Mali answered the end-of-mission
questionnaire (one in English), a fourth never did (invited and reminded twice, his links long
expired); CNPV assessed two of them; the first received a certificate when she submitted (PDF
rendered here); ANVT recorded support actions at the follow-ups. Idempotent: nothing is added
once the cohort has questionnaires.

The missions ended in 2018: as ``voice.services.QUESTIONNAIRE_WINDOW`` has it, their volunteers
were asked then, just after their return, not years later. Every date here follows the return
(the daily run finds nothing left to send them).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from missions.models import FollowUp, Placement
from reports.services import report_run
from voice.certificates import certificate_issue
from voice.links import link_issue
from voice.models import Certificate, Questionnaire, QuestionnaireMessage, SupportAction
from voice.services import LAST_REMINDER_AFTER, REMINDER_AFTER, host_assessment_save

User = get_user_model()
Kind = QuestionnaireMessage.Kind

ANSWERS = [
    {
        "language": "fr",
        "satisfaction": 5,
        "content": 4,
        "preparation": 2,
        "welcome": 5,
        "safety": 4,
        "skills": "Animation d’ateliers de sensibilisation, travail en équipe interculturelle",
        "plan": "job",
        "comments": "Formation au départ trop courte, mais un accueil remarquable à Bamako.",
    },
    {
        "language": "en",
        "satisfaction": 4,
        "content": 4,
        "preparation": 3,
        "welcome": 4,
        "safety": 3,
        "skills": "Project management, public speaking",
        "plan": "study",
        "comments": "The visa arrived two days before departure.",
    },
    {
        "language": "fr",
        "satisfaction": 4,
        "content": 5,
        "preparation": 2,
        "welcome": 5,
        "safety": 5,
        "skills": "Soutien scolaire",
        "plan": "business",
        "comments": "",
    },
]

ASSESSMENTS = [
    {
        "contribution": 5,
        "punctuality": 4,
        "integration": 5,
        "recommended": True,
        "comments": "Très impliquée auprès des élèves.",
    },
    {
        "contribution": 4,
        "punctuality": 3,
        "integration": 4,
        "recommended": True,
        "comments": "",
    },
]

SUPPORT = [
    (3, SupportAction.Kind.TRAINING, SupportAction.Outcome.SUCCEEDED, "Formation en gestion"),
    (6, SupportAction.Kind.JOB_REFERRAL, SupportAction.Outcome.ONGOING, "Orientée vers l’ANPE"),
    (3, SupportAction.Kind.BUSINESS_FUNDING, SupportAction.Outcome.PLANNED, "Dossier FAIEJ"),
    (12, SupportAction.Kind.MENTORING, SupportAction.Outcome.SUCCEEDED, ""),
]


def demo_voice_placements():
    """The ANVT → CNPV placements of the 2017 cohort, in a stable order."""
    return Placement.objects.filter(
        quota__agreement__reference="VIR-TG-ML-2017",
        quota__sending__acronym="ANVT",
        status=Placement.Status.COMPLETED,
    ).order_by("pk")


def _invited(placement) -> datetime.datetime:
    """When the volunteer of ``placement`` was asked: five days after the return (well within
    ``QUESTIONNAIRE_WINDOW``); those who answered did so the same evening."""
    evening = datetime.datetime.combine(placement.return_date, datetime.time(18))
    return timezone.make_aware(evening) + datetime.timedelta(days=5)


def load_voice(*, render: bool = True) -> None:
    placements = list(demo_voice_placements())
    if not placements or Questionnaire.objects.filter(placement__in=placements).exists():
        return
    answered, pending = placements[: len(ANSWERS)], placements[len(ANSWERS) :]
    for placement, answers in zip(answered, ANSWERS, strict=False):
        submitted = _invited(placement)
        questionnaire = Questionnaire.objects.create(
            placement=placement, submitted_at=submitted, **answers
        )
        QuestionnaireMessage.objects.create(
            questionnaire=questionnaire, kind=Kind.INVITATION, sent_at=submitted
        )
        Questionnaire.objects.filter(pk=questionnaire.pk).update(created_at=submitted)
    for placement in pending:
        # Invited after his return, reminded 14 and 28 days later (a link with each e-mail, as
        # the daily run does), never answered.
        questionnaire = Questionnaire.objects.create(placement=placement, language="fr")
        invited = _invited(placement)
        Questionnaire.objects.filter(pk=questionnaire.pk).update(created_at=invited)
        for kind, after in (
            (Kind.INVITATION, datetime.timedelta(0)),
            (Kind.REMINDER, REMINDER_AFTER),
            (Kind.LAST_REMINDER, LAST_REMINDER_AFTER),
        ):
            QuestionnaireMessage.objects.create(
                questionnaire=questionnaire, kind=kind, sent_at=invited + after
            )
            link_issue(questionnaire=questionnaire, now=invited + after)
    host = User.objects.get(username="cnpv-officer")
    for placement, answers in zip(answered, ASSESSMENTS, strict=False):
        host_assessment_save(placement=placement, user=host, answers=answers)
    certificate = certificate_issue(placement=answered[0])
    # Issued when she submitted her answers, as the platform does (the PDF, rendered below,
    # gives that date).
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=answered[0].questionnaire.submitted_at
    )
    if render and certificate.report_id:
        report_run(certificate.report_id)
    officer = User.objects.get(username="anvt-officer")
    for (month, kind, outcome, note), placement in zip(SUPPORT, placements, strict=False):
        SupportAction.objects.create(
            follow_up=FollowUp.objects.get(placement=placement, due_month=month),
            kind=kind,
            outcome=outcome,
            note=note,
            recorded_by=officer,
        )
