"""Generated reports (PDF, CSV): the record of one rendering and its private file (downloads
are recorded in the platform's log: ``agencies.DownloadRecord``)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import DownloadRecord
from core.models import JobStatus, QuickChoiceLabels


def _report_path(instance, filename):
    # A random name under MEDIA_ROOT: files are private, served only by the download view.
    return f"reports/{uuid.uuid4().hex}"


class Report(QuickChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("Evaluation report")
        QUOTA = "quota", _("Quota report")
        CERTIFICATE = "certificate", _("Completion certificate")
        PROGRAMME = "programme", _("Programme progress report")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    Status = JobStatus

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default="pdf")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    # Scope: what the report is about (the access rule reads these).
    agreement = models.ForeignKey(
        "exchanges.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    evaluation = models.ForeignKey(
        "evaluations.Evaluation",
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    # A programme's progress report (for its funder): read by the programme's staff and viewers.
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The month a scheduled run reports (its first day); empty for a report someone asked for.
    scheduled_for = models.DateField(_("scheduled for the month of"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_report_path, blank=True, max_length=200)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # While running: the worker's lease (core.jobs); once past, the sweep takes the report back.
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""), name="report_done_has_file"
            ),
            # A scheduled report is recorded once per (kind, month, scope), whatever the number
            # of runs, concurrent ones included. Three partial constraints rather than one over
            # (kind, month, agency, agreement): NULLs are distinct in a unique constraint, and
            # ``nulls_distinct`` is PostgreSQL-only. A scope is an agreement, else an agency,
            # else everything.
            models.UniqueConstraint(
                fields=["kind", "scheduled_for", "agreement"],
                condition=Q(scheduled_for__isnull=False, agreement__isnull=False),
                name="report_scheduled_once_per_agreement",
            ),
            models.UniqueConstraint(
                fields=["kind", "scheduled_for", "agency"],
                condition=Q(
                    scheduled_for__isnull=False, agreement__isnull=True, agency__isnull=False
                ),
                name="report_scheduled_once_per_agency",
            ),
            models.UniqueConstraint(
                fields=["kind", "scheduled_for", "programme"],
                condition=Q(scheduled_for__isnull=False, programme__isnull=False),
                name="report_scheduled_once_per_programme",
            ),
            models.UniqueConstraint(
                fields=["kind", "scheduled_for"],
                condition=Q(
                    scheduled_for__isnull=False,
                    agreement__isnull=True,
                    agency__isnull=True,
                    programme__isnull=True,
                ),
                name="report_scheduled_once_overall",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "-created_at"], name="report_agreement"),
            models.Index(fields=["agency", "-created_at"], name="report_agency"),
            models.Index(fields=["status"], name="report_status"),
            # The reports page and the home page list the newest first.
            models.Index(fields=["-created_at", "-id"], name="report_newest"),
        ]

    def __str__(self):
        return self.filename or f"{self.get_kind_display()} #{self.pk}"

    @property
    def download_kind(self) -> str:
        """What the download log calls this file (``agencies.DownloadRecord.Kind``): a
        certificate read from the reports is logged as the certificate it is."""
        if self.kind == self.Kind.CERTIFICATE:
            return DownloadRecord.Kind.CERTIFICATE
        return DownloadRecord.Kind.REPORT

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
