"""Evaluations of an agreement's cohort: scores by criterion, findings by axis, versions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.dates import validate_date
from core.links import pk_url
from core.models import QuickChoiceLabels


class Criterion(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    COHERENCE = "coherence", _("Coherence")
    EFFECTIVENESS = "effectiveness", _("Effectiveness")
    EFFICIENCY = "efficiency", _("Efficiency")
    IMPACT = "impact", _("Impact")
    SUSTAINABILITY = "sustainability", _("Sustainability")


class Axis(models.TextChoices):
    SELECTION = "selection", _("Selection")
    PREPARATION = "preparation", _("Preparation")
    TRAVEL = "travel", _("Travel and reception")
    MISSION = "mission", _("Mission and host structure")
    FOLLOW_UP = "follow_up", _("Follow-up")
    RETURN = "return", _("Return and insertion")
    PARTNERSHIP = "partnership", _("Partnership")


class Evaluation(QuickChoiceLabels, models.Model):
    """One version of an evaluation. Published versions are frozen: a correction is a new
    version (``previous`` points at the one it corrects) that is published in turn."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    agreement = models.ForeignKey(
        "exchanges.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    cohort = models.CharField(_("cohort"), max_length=30)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("authoring agency"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period covered from"), validators=[validate_date])
    period_end = models.DateField(_("period covered to"), validators=[validate_date])
    visit_start = models.DateField(
        _("visit from"), null=True, blank=True, validators=[validate_date]
    )
    visit_end = models.DateField(_("visit to"), null=True, blank=True, validators=[validate_date])
    visit_place = models.CharField(_("visit place"), max_length=100, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    context = models.TextField(_("context and objectives"), blank=True)
    method = models.TextField(_("method"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The figures as of publication (``selectors.evaluation_figures``): a published version is a
    # record, its page and its PDF read these, never the placements of today. Empty in a draft.
    figures = models.JSONField(_("figures at publication"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="evaluation_period_in_order",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(visit_start__isnull=True)
                | Q(visit_end__isnull=True)
                | Q(visit_start__lte=models.F("visit_end")),
                name="evaluation_visit_in_order",
                violation_error_message=_("The end of the visit cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="evaluation_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(figures__isnull=False),
                name="evaluation_published_has_figures",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "-period_end"], name="evaluation_agreement"),
            models.Index(fields=["agency", "status"], name="evaluation_agency_status"),
            # The list's order (``selectors.EVALUATION_ORDER``): its pages, counted or past the
            # count, read a range of this index.
            models.Index(fields=["-period_end", "-id"], name="evaluation_newest"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return pk_url("evaluations:detail", self.pk)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Score(QuickChoiceLabels, models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    value = models.PositiveSmallIntegerField(
        _("score (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["evaluation", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5),
                name="score_between_1_and_5",
                violation_error_message=_("A score is from 1 to 5."),
            ),
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="score_one_per_criterion"
            ),
        ]

    def __str__(self):
        return f"{self.get_criterion_display()}: {self.value}"


OPEN_RECOMMENDATION = Q(kind="recommendation", follow_up__in=["open", "in_progress"])


class Finding(QuickChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Strength")
        WEAKNESS = "weakness", _("Weakness")
        RECOMMENDATION = "recommendation", _("Recommendation")
        LESSON = "lesson", _("Lesson learnt")

    class FollowUp(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", pgettext_lazy("recommendation", "Done")
        DROPPED = "dropped", _("Dropped")

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    axis = models.CharField(_("axis"), max_length=20, choices=Axis.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"), max_length=2000)
    owner = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("owner agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, validators=[validate_date])
    follow_up = models.CharField(
        _("follow-up status"), max_length=20, choices=FollowUp.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["evaluation", "axis", "order", "pk"]
        constraints = [
            # Only recommendations carry an owner, a due date and a follow-up status.
            models.CheckConstraint(
                condition=Q(kind="recommendation")
                | Q(owner__isnull=True, due_date__isnull=True, follow_up=""),
                name="finding_follow_up_only_on_recommendations",
            ),
        ]
        # The home page's recommendations due: an agency's open ones, by due date; and the
        # platform's, for the administrator (without it, every open one was read, joined to its
        # evaluation and sorted: 15 ms for eight).
        indexes = [
            models.Index(
                fields=["owner", "due_date", "id"],
                condition=OPEN_RECOMMENDATION,
                name="finding_open_due_idx",
            ),
            models.Index(
                fields=["due_date", "id"],
                condition=OPEN_RECOMMENDATION,
                name="finding_open_by_due_idx",
            ),
        ]

    def __str__(self):
        return Truncator(self.text).chars(60)

    @property
    def is_recommendation(self) -> bool:
        return self.kind == self.Kind.RECOMMENDATION


from . import owner_rule  # noqa: E402, F401  (registers the owner rule's SQLite triggers)


def superseded_q(prefix: str = "") -> Q:
    """Published versions whose correction is published too: the correction replaces them, and
    the alerts and the home page follow its recommendations, not theirs (``prefix``: the path
    to the evaluation)."""
    return Q(**{f"{prefix}correction__status": Evaluation.Status.PUBLISHED})
