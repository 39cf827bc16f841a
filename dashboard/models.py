"""Alerts: what needs someone's attention, computed per agency (``dashboard.alerts``), never
stored; only what people did about them is: an acknowledgement (who, when), and the weekly
digest sent to each recipient (once per week, by a unique constraint)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import QuickChoiceLabels


class AlertKind(models.TextChoices):
    CHECKLIST_LATE = "checklist_late", _("Pre-departure item late")
    CHECKLIST_DUE = "checklist_due", _("Pre-departure item due within 14 days")
    IMBALANCE = "imbalance", _("Reciprocity imbalance")
    RECOMMENDATION_OVERDUE = "recommendation_overdue", _("Recommendation overdue")
    QUOTA_FULL = "quota_full", _("Quota full while nominations are open")
    AGREEMENT_ENDING = "agreement_ending", _("Agreement ending within 90 days")


class AlertAcknowledgement(QuickChoiceLabels, models.Model):
    """An agency's member saw an alert and took it in hand: the alert is hidden from the
    agency's home page (shown again under "show acknowledged") and left out of the digests.
    An alert is named by its kind and ``key`` (the object it is about)."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    key = models.CharField(_("key"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert acknowledgement")
        verbose_name_plural = _("alert acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "key"], name="alert_ack_once"),
            models.CheckConstraint(
                condition=Q(kind__in=AlertKind.values), name="alert_ack_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.kind} {self.key}"


class AlertDigest(models.Model):
    """The weekly digest of alerts sent to one recipient: one row per user and week (its
    Monday), inserted with the e-mail, so that a digest is never sent twice for a week, even if
    the task runs twice or on two beats at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE
    )
    week = models.DateField(_("week of"))
    alerts = models.PositiveIntegerField(_("alerts"), default=0)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="alert_digest_once_a_week"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.week}"
