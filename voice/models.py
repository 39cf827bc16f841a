"""The volunteer's own voice and record, after the mission: the end-of-mission questionnaire
(answered through a personal link, no account), the host's assessment, the completion
certificate, and the support actions of the insertion follow-ups.

Above ``missions`` (placements, follow-ups) and below ``evaluations``, which aggregates the
answers of a cohort.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import QuickChoiceLabels

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class Plan(models.TextChoices):
    STUDY = "study", _("Studies")
    JOB = "job", _("A job")
    BUSINESS = "business", _("Starting a business")
    VOLUNTEERING = "volunteering", _("Volunteering again")
    UNDECIDED = "undecided", _("Not decided yet")


# The questions scored 1 (poor) to 5 (excellent), in the order the form asks them.
QUESTIONNAIRE_SCORES = {
    "satisfaction": _("Overall satisfaction"),
    "content": _("Content of the mission"),
    "preparation": _("Pre-departure preparation"),
    "welcome": _("Welcome by the host"),
    "safety": _("Safety"),
}
ASSESSMENT_SCORES = {
    "contribution": _("What the volunteer contributed"),
    "punctuality": _("Punctuality"),
    "integration": _("Integration in the team and the community"),
}


def _score(label):
    return models.PositiveSmallIntegerField(label, choices=SCORE_CHOICES, null=True, blank=True)


def _score_valid(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__range": (1, 5)}), name=name
    )


class Questionnaire(QuickChoiceLabels, models.Model):
    """One per placement: created when the return is recorded (or the mission has ended),
    answered by the volunteer through the links e-mailed to them, read-only once submitted."""

    placement = models.OneToOneField(
        "missions.Placement",
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        related_name="questionnaire",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    satisfaction = _score(QUESTIONNAIRE_SCORES["satisfaction"])
    content = _score(QUESTIONNAIRE_SCORES["content"])
    preparation = _score(QUESTIONNAIRE_SCORES["preparation"])
    welcome = _score(QUESTIONNAIRE_SCORES["welcome"])
    safety = _score(QUESTIONNAIRE_SCORES["safety"])
    skills = models.TextField(_("Skills gained"), blank=True)
    plan = models.CharField(
        _("Plans after the mission"), max_length=20, choices=Plan.choices, blank=True
    )
    comments = models.TextField(_("Free comments"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("end-of-mission questionnaire")
        verbose_name_plural = _("end-of-mission questionnaires")
        ordering = ["-created_at", "-pk"]
        constraints = [
            *(_score_valid(f, f"questionnaire_{f}_1_to_5") for f in QUESTIONNAIRE_SCORES),
            models.CheckConstraint(
                condition=Q(plan__in=["", *Plan.values]), name="questionnaire_plan_valid"
            ),
        ]
        indexes = [
            # The daily sending finds the questionnaires still waiting for answers.
            models.Index(
                fields=["created_at"],
                condition=Q(submitted_at__isnull=True),
                name="questionnaire_pending_idx",
            ),
        ]

    def __str__(self):
        return str(self.placement)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class QuestionnaireLink(models.Model):
    """A personal link sent by e-mail: only the SHA-256 of its random token is stored, with an
    expiry. Each e-mail (invitation, reminders) carries its own link; every unexpired link of
    the questionnaire opens it."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire link")
        verbose_name_plural = _("questionnaire links")

    def __str__(self):
        return f"{self.questionnaire} ({self.expires_at:%Y-%m-%d})"


class MessageKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder after 14 days")
    LAST_REMINDER = "last_reminder", _("Last reminder after 28 days")


class QuestionnaireMessage(QuickChoiceLabels, models.Model):
    """Each e-mail of a questionnaire is recorded once: the unique (questionnaire, kind) makes the
    daily sending idempotent, even when beat fires twice at the same time."""

    Kind = MessageKind

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire e-mail")
        verbose_name_plural = _("questionnaire e-mails")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "kind"], name="questionnaire_message_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="questionnaire_message_kind"
            ),
        ]

    def __str__(self):
        return f"{self.questionnaire} — {self.get_kind_display()}"


class HostAssessment(QuickChoiceLabels, models.Model):
    """The host agency's assessment of the volunteer of one placement."""

    placement = models.OneToOneField(
        "missions.Placement",
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        related_name="host_assessment",
    )
    contribution = _score(ASSESSMENT_SCORES["contribution"])
    punctuality = _score(ASSESSMENT_SCORES["punctuality"])
    integration = _score(ASSESSMENT_SCORES["integration"])
    recommended = models.BooleanField(_("We would recommend this volunteer"), null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now=True)

    class Meta:
        verbose_name = _("host assessment")
        verbose_name_plural = _("host assessments")
        constraints = [_score_valid(f, f"assessment_{f}_1_to_5") for f in ASSESSMENT_SCORES]

    def __str__(self):
        return str(self.placement)


class Certificate(models.Model):
    """The completion certificate of a placement: its facts frozen at issue (what the PDF and the
    public verification page show), its PDF rendered as a ``reports.Report``."""

    placement = models.OneToOneField(
        "missions.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True, editable=False)
    facts = models.JSONField(_("facts certified"), editable=False)
    report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("PDF"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for the revocation"), blank=True)

    class Meta:
        verbose_name = _("completion certificate")
        verbose_name_plural = _("completion certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificate_revocation_has_reason",
            )
        ]

    def __str__(self):
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SupportKind(models.TextChoices):
    TRAINING = "training", _("Training")
    JOB_REFERRAL = "job_referral", _("Job referral")
    BUSINESS_FUNDING = "business_funding", _("Business funding")
    MENTORING = "mentoring", _("Mentoring")


class SupportOutcome(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Did not succeed")


class SupportAction(QuickChoiceLabels, models.Model):
    """What the sending agency does for a returned volunteer's insertion, at a follow-up."""

    Kind = SupportKind
    Outcome = SupportOutcome

    follow_up = models.ForeignKey(
        "missions.FollowUp",
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="support_actions",
    )
    kind = models.CharField(_("support"), max_length=20, choices=Kind.choices)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PLANNED
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support action")
        verbose_name_plural = _("support actions")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SupportKind.values), name="support_action_kind"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=SupportOutcome.values), name="support_action_outcome"
            ),
        ]

    def __str__(self):
        return f"{self.follow_up} — {self.get_kind_display()}"


class FollowUpReminder(models.Model):
    """The e-mail reminding the sending agency that a follow-up is due, recorded once."""

    follow_up = models.OneToOneField(
        "missions.FollowUp",
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="reminder",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up reminder")
        verbose_name_plural = _("follow-up reminders")

    def __str__(self):
        return str(self.follow_up)
