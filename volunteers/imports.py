"""The job of one uploaded file of volunteers (a model of this app, in a module of its own)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import JobStatus, QuickChoiceLabels
from core.stored_text import text_shown


class VolunteerImport(QuickChoiceLabels, models.Model):
    """One uploaded file of volunteers, imported by a background job (see ``importing``).

    A job is claimed with a conditional update (queued → running) so that it runs once even if
    enqueued twice; the page polls this row. One file (by checksum) is imported once per agency:
    a second upload of the same file finds the first job instead of starting a new one.
    """

    Status = JobStatus

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="volunteer_imports",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="volunteers/imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    checked_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("volunteers created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    duplicates = models.JSONField(_("duplicates"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The message's source and parameters (``core.stored_text``): each reader gets it in their
    # language; ``message`` is its translation for the uploader (all that rows before it kept).
    message_source = models.JSONField(_("message source"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer import")
        verbose_name_plural = _("volunteer imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "checksum"],
                condition=~models.Q(status="failed"),
                name="volunteerimport_one_live_import_per_file",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="volunteerimport_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(checked_rows__lte=models.F("total_rows")),
                name="volunteerimport_progress_bounded",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="volunteerimport_agency_idx")
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    # The report in the reader's language (the errors and duplicates keep their sources too).
    @property
    def message_shown(self) -> str:
        return text_shown(self.message_source) if self.message_source else self.message

    @property
    def errors_shown(self) -> list[dict]:
        return [_issue_shown(issue) for issue in self.errors]

    @property
    def duplicates_shown(self) -> list[dict]:
        return [_issue_shown(issue) for issue in self.duplicates]

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return round(100 * self.checked_rows / self.total_rows)


def _issue_shown(issue: dict) -> dict:
    """A stored error or duplicate (row, column, and its message's source, or the message
    itself as rows before 2026-12-07 stored it) as shown: its message in the active language."""
    return {"row": issue["row"], "column": issue.get("column", ""), "message": text_shown(issue)}
