from functools import cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


class QuickChoiceLabels:
    """``get_FOO_display()`` from a table of labels built once per field.

    Django builds a dict of the field's choices on every call (``Model._get_FIELD_display``):
    a list page showing a report's kind, format, language and status on 50 rows built 250 of
    them, 15 % of the page. Choices written in the code never change while the process runs;
    callable choices and unhashable values keep Django's own way. Put before ``models.Model``
    among a model's bases (its fields bind ``get_FOO_display`` to the method found there)."""

    def _get_FIELD_display(self, field):
        if not isinstance(field.choices, list):  # callable choices: read afresh each time
            return super()._get_FIELD_display(field)
        value = getattr(self, field.attname)
        try:
            label = _labels_of(field).get(value, value)
        except TypeError:  # an unhashable value: Django makes it hashable first
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


@cache
def _labels_of(field) -> dict:
    return dict(make_hashable(field.flatchoices))


class WorkerHeartbeat(models.Model):
    """One row, touched by a periodic task: tells whether a Celery worker is running."""

    last_seen = models.DateTimeField(_("last seen"))
    hostname = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class JobStatus(models.TextChoices):
    """The life of a recorded background job (a report, an export, an import): a task claims
    it queued → running with a conditional update, then it ends done or failed."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class OutgoingEmail(QuickChoiceLabels, models.Model):
    """An e-mail to send (the outbox): recorded in the transaction that decided it, sent by a
    task after commit (``core.outbox``). A task claims it queued → running with a conditional
    update, so a message goes out once; a failed attempt puts it back queued for a later try
    (``next_attempt_at``), until ``outbox.MAX_ATTEMPTS`` (then failed)."""

    Status = JobStatus

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"), blank=True)
    from_email = models.CharField(_("from"), max_length=500)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("bcc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # [[content, mimetype], ...]: an HTML version, say.
    alternatives = models.JSONField(_("alternatives"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: what is queued and due, or running past its lease.
            models.Index(fields=["status", "next_attempt_at"], name="email_due"),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class OutgoingEmailConcern(models.Model):
    """Whom a message of the outbox names, by a key of the app that knows them
    (``"volunteer:371"``): a person's erasure reaches the messages recorded about them
    (``outbox.emails_erase``), and only those, without the outbox knowing the apps above it."""

    email = models.ForeignKey(
        OutgoingEmail,
        verbose_name=_("outgoing e-mail"),
        on_delete=models.CASCADE,
        related_name="concerns",
    )
    key = models.CharField(_("concerns"), max_length=100)

    class Meta:
        verbose_name = _("person an e-mail names")
        verbose_name_plural = _("people e-mails name")
        constraints = [
            # Its index finds a person's messages by the key.
            models.UniqueConstraint(fields=["key", "email"], name="email_concern_once"),
        ]

    def __str__(self):
        return self.key


class UserPreference(QuickChoiceLabels, models.Model):
    """What a user chose for themselves: the language of their pages, e-mails and PDFs.

    A row only for users who chose (or whose account was set up with a choice): without one,
    pages follow the browser and e-mails the platform's default language (``core.languages``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="preference",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="user_preference_known_language",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.language})"
