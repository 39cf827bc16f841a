"""API tokens and the stored answers of idempotent writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Membership
from core.models import QuickChoiceLabels


class ApiToken(QuickChoiceLabels, models.Model):
    """A token an agency manager created for the agency's own systems.

    Only the SHA-256 of the secret is stored (the secret is shown once, at creation): a
    token has 256 bits of randomness, so a plain hash suffices, and one indexed lookup finds
    it. The token acts through its own account (``user``), a member of ``agency`` with
    ``role``: every access rule applies to it unchanged, and the approvals, nominations and
    downloads it makes are recorded under that account's name.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_token",
    )
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "-created_at"], name="apitoken_agency_idx")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class IdempotentRequest(models.Model):
    """The answer given to a write sent with an ``Idempotency-Key``: the same key sent again by
    the same account gets the same answer, and the write is not done twice. One row per account
    and key, by a unique constraint (two concurrent retries: the second waits for the first's
    row, then reads its answer)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique_key")
        ]

    def __str__(self):
        return f"{self.key} ({self.status})"
