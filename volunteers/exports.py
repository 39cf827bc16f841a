"""The export of the volunteer list as a background job: its record.

A model module of its own (imported by ``models``), like ``tallies``. The file holds contact
details: it is private to the member who asked for it (and administrators), served only by a
view that checks the rule and records the download in the platform's log
(``agencies.DownloadRecord``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.csv import DELIMITER_CHOICES
from core.models import JobStatus, QuickChoiceLabels

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _export_path(instance, filename):
    # A random name: the file is never public media, only the download view serves it.
    return f"volunteers/exports/{uuid.uuid4().hex}"


class VolunteerExport(QuickChoiceLabels, models.Model):
    """One export of the list (CSV or XLSX) with the filters it was asked with.

    The request records it queued; a task claims it (queued → running, a conditional update)
    so that it runs once, and writes the rows that its requester may export *at that moment*;
    the page polls this row for the progress.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    Status = JobStatus

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )
    # The CSV separator chosen; empty: the language's (core.csv.delimiter_for).
    delimiter = models.CharField(
        _("CSV separator"), max_length=1, choices=DELIMITER_CHOICES, blank=True, default=""
    )
    # The query of the list page ({"status": ["candidate"], ...}), applied again by the task.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # The sending agencies of the rows written: a member of several agencies exports the
    # union of their registers (as their list shows it), and each download is recorded in the
    # log of every agency whose volunteers the file holds.
    agency_ids = models.JSONField(_("agencies of the rows"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=_export_path, blank=True, max_length=200)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Set once the broker took the task: a queued export without it waits for the broker.
    enqueued_at = models.DateTimeField(_("sent to the task queue at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # While running: the worker's lease, renewed with the progress (core.jobs); once past, the
    # sweep takes the export back.
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer export")
        verbose_name_plural = _("volunteer exports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="volunteerexport_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""), name="volunteerexport_done_has_file"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="volunteerexport_user_idx"),
            # The sweep looks for exports left queued.
            models.Index(fields=["status", "created_at"], name="volunteerexport_status_idx"),
        ]

    def __str__(self):
        return self.filename or f"{_('Volunteer export')} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.rows_written / self.total_rows))

    @property
    def content_type(self) -> str:
        return XLSX_TYPE if self.format == self.Format.XLSX else CSV_TYPE
