"""The end-of-mission questionnaire: created for each returned volunteer, sent and reminded by
the daily task, answered through a personal link, submitted once; and the host's assessment."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.mail import queue_emails
from missions.models import Placement
from volunteers.models import email_concern

from . import certificates
from .links import link_issue
from .models import (
    QUESTIONNAIRE_SCORES,
    HostAssessment,
    Questionnaire,
    QuestionnaireMessage,
    SupportAction,
)

Kind = QuestionnaireMessage.Kind
REMINDER_AFTER = datetime.timedelta(days=14)
LAST_REMINDER_AFTER = datetime.timedelta(days=28)
ANSWER_FIELDS = (*QUESTIONNAIRE_SCORES, "skills", "plan", "comments")


# How long after the end of a mission its volunteer is still asked about it. The questionnaire
# is about a mission just finished (reminded 14 and 28 days after the invitation, its link valid
# 60 days); a return is often recorded some weeks late, and a return recorded up to three months
# late still gets its questionnaire (and, once answered, the certificate). A mission that ended
# longer ago is history (loaded by hand or imported): its volunteers are not written to out of
# the blue, years later, on the first run after the loading.
QUESTIONNAIRE_WINDOW = datetime.timedelta(days=90)


def placements_due_a_questionnaire(*, today: datetime.date):
    """Placements without a questionnaire yet whose return is recorded, or still deployed past
    the mission's end, within ``QUESTIONNAIRE_WINDOW`` of ``today``."""
    return (
        Placement.objects.filter(
            Q(status=Placement.Status.COMPLETED)
            | Q(status=Placement.Status.DEPLOYED, mission__end_date__lt=today),
            questionnaire__isnull=True,
        )
        # The return as recorded; the mission's end for one still deployed (or a return
        # recorded without its date, through the admin).
        .alias(ended=Coalesce("return_date", "mission__end_date"))
        .filter(ended__gte=today - QUESTIONNAIRE_WINDOW)
    )


def questionnaires_create(*, today: datetime.date) -> int:
    """A questionnaire for each placement due one (twice the same day: nothing more)."""
    pending = list(placements_due_a_questionnaire(today=today).values_list("pk", flat=True))
    Questionnaire.objects.bulk_create(
        [Questionnaire(placement_id=pk) for pk in pending], ignore_conflicts=True
    )
    return len(pending)


def _message_due(questionnaire, now: datetime.datetime) -> str | None:
    """The e-mail ``questionnaire`` is due now, if any (one per run)."""
    invited = questionnaire.invited_at
    if invited is None:
        return Kind.INVITATION
    if not questionnaire.last_reminded and now - invited >= LAST_REMINDER_AFTER:
        return Kind.LAST_REMINDER
    if not questionnaire.reminded and now - invited >= REMINDER_AFTER:
        return Kind.REMINDER
    return None


def _subjects():
    return {
        Kind.INVITATION: _("Your mission “%(mission)s”: tell us how it went"),
        Kind.REMINDER: _("Reminder: your end-of-mission questionnaire"),
        Kind.LAST_REMINDER: _("Last reminder: your end-of-mission questionnaire"),
    }


def _email(questionnaire: Questionnaire, kind: str, token: str) -> EmailMessage:
    placement = questionnaire.placement
    link = settings.SITE_URL.rstrip("/") + reverse("voice:answer", args=[token])
    with translation.override(questionnaire.language):
        ctx = {"mission": placement.mission.title, "name": placement.volunteer.first_name}
        subject = _subjects()[kind] % ctx
        body = (
            _(
                "Hello %(name)s,\n\nYour mission “%(mission)s” has ended. Your sending agency asks "
                "for your opinion: it takes about ten minutes, needs no account, and your answers "
                "help the volunteers who follow you. Once you have submitted them, your completion "
                "certificate can be downloaded from the same page.\n\nThis personal link is valid "
                "for 60 days; do not share it:"
            )
            % ctx
        )
    return EmailMessage(
        subject,
        f"{body}\n\n{link}\n",
        to=[placement.volunteer.email],
        headers={"Content-Language": questionnaire.language},
    )


def questionnaires_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily run: create the questionnaires due, then send each unsubmitted one the e-mail
    it is due (invitation, reminder after 14 days, last reminder after 28).

    Each e-mail is first recorded as a ``QuestionnaireMessage``, unique per (questionnaire,
    kind), in the transaction that queues it: a second run, even concurrent, fails to record it
    and sends nothing."""
    now = now or timezone.now()
    questionnaires_create(today=timezone.localdate(now))
    sent = dict.fromkeys(Kind.values, 0)
    messages = QuestionnaireMessage.objects.filter(questionnaire=OuterRef("pk"))
    pending = (
        Questionnaire.objects.filter(submitted_at__isnull=True)
        .exclude(placement__volunteer__email="")
        .annotate(
            reminded=Exists(messages.filter(kind=Kind.REMINDER)),
            last_reminded=Exists(messages.filter(kind=Kind.LAST_REMINDER)),
        )
        .select_related("placement__volunteer", "placement__mission")
        .order_by("pk")
    )
    invitations = dict(
        QuestionnaireMessage.objects.filter(
            kind=Kind.INVITATION, questionnaire__submitted_at__isnull=True
        ).values_list("questionnaire_id", "sent_at")
    )
    for questionnaire in pending.iterator(chunk_size=500):
        questionnaire.invited_at = invitations.get(questionnaire.pk)
        kind = _message_due(questionnaire, now)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                QuestionnaireMessage.objects.create(
                    questionnaire=questionnaire, kind=kind, sent_at=now
                )
                token = link_issue(questionnaire=questionnaire, now=now)
                queue_emails(
                    [_email(questionnaire, kind, token)],
                    concerning=[email_concern(questionnaire.placement.volunteer_id)],
                )
        except IntegrityError:
            continue  # another run recorded it: sent once
        sent[kind] += 1
    return sent


def questionnaire_set_language(*, questionnaire: Questionnaire, language: str) -> Questionnaire:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("This language is not offered."), field="language")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(language=language)
    questionnaire.language = language
    return questionnaire


@transaction.atomic
def questionnaire_answer(
    *, questionnaire: Questionnaire, answers: dict, submit: bool
) -> Questionnaire:
    """Save the answers (editable until submitted); ``submit`` makes them final, and issues the
    completion certificate of a completed placement."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.is_submitted:
        raise DomainError(
            _("This questionnaire has already been submitted: it can no longer change.")
        )
    for field in QUESTIONNAIRE_SCORES:
        setattr(locked, field, answers.get(field))
    for field in ("skills", "plan", "comments"):
        setattr(locked, field, (answers.get(field) or "").strip())
    if submit:
        missing = [
            str(QUESTIONNAIRE_SCORES[f]) for f in QUESTIONNAIRE_SCORES if getattr(locked, f) is None
        ]
        if not locked.plan:
            missing.append(_("Plans after the mission"))
        if missing:
            raise DomainError(
                _("Answer every question before submitting: %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        locked.submitted_at = timezone.now()
    try:
        locked.full_clean(exclude=["placement"])
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    locked.save()
    if submit and locked.placement.status == Placement.Status.COMPLETED:
        certificates.certificate_issue(placement=locked.placement)
    return locked


@transaction.atomic
def host_assessment_save(*, placement: Placement, user, answers: dict) -> HostAssessment:
    """The host agency's assessment of a completed placement (changed as often as it likes)."""
    if not user.has_perm("vir.assess_placement", placement):
        raise PermissionDenied
    if placement.status != Placement.Status.COMPLETED:
        raise DomainError(_("Only the volunteer of a completed placement is assessed."))
    assessment, _created = HostAssessment.objects.select_for_update().get_or_create(
        placement=placement
    )
    for field in ("contribution", "punctuality", "integration", "recommended", "comments"):
        setattr(assessment, field, answers.get(field))
    assessment.comments = assessment.comments or ""
    assessment.assessed_by = user
    try:
        assessment.full_clean(exclude=["placement"])
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    assessment.save()
    return assessment


def answers_anonymise(*, volunteer) -> None:
    """The free texts of and about an anonymised volunteer erased (``volunteers.services.
    ERASERS``, inside the anonymisation's transaction): their questionnaire's skills and
    comments, the host's comments on them, the notes of their insertion support. The scores,
    plans and outcomes stay: the statistics need them."""
    Questionnaire.objects.filter(placement__volunteer=volunteer).update(skills="", comments="")
    HostAssessment.objects.filter(placement__volunteer=volunteer).update(comments="")
    SupportAction.objects.filter(follow_up__placement__volunteer=volunteer).update(note="")
