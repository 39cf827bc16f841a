"""Placements per quota and status, counted by the database (``core.tallies``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tallies import Tally, TallyRow, register

TALLY = register(
    Tally(
        table="missions_placementtally",
        source="missions_placement",
        keys=(("quota_id", "quota_id"), ("status", "status")),
    )
)


class PlacementTally(TallyRow):
    """How many placements of a quota are in a status. Kept by triggers: never write it."""

    quota = models.ForeignKey(
        "exchanges.Quota", verbose_name=_("quota"), on_delete=models.CASCADE, related_name="tallies"
    )

    class Meta:
        verbose_name = _("placement count")
        verbose_name_plural = _("placement counts")
        constraints = [
            models.UniqueConstraint(fields=["quota", "status"], name="placement_tally_key"),
        ]


# The placements that take one of their quota's places (``models.USED_STATUSES``; a test holds
# the two lists equal): one count per quota, so that "places left" is a column, not a sum.
USED_TALLY = register(
    Tally(
        table="missions_quotause",
        source="missions_placement",
        keys=(("quota_id", "quota_id"),),
        only="{row}.status IN ('confirmed', 'deployed', 'completed')",
        watched=("status",),
    )
)


class QuotaUse(models.Model):
    """How many placements of a quota take one of its places (confirmed, deployed or
    completed), kept by triggers like the counts per status. Never write it."""

    quota = models.OneToOneField(
        "exchanges.Quota",
        verbose_name=_("quota"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="use",
    )
    n = models.IntegerField(_("places taken"), default=0)

    class Meta:
        verbose_name = _("places taken")
        verbose_name_plural = _("places taken")

    def __str__(self):
        return f"{self.quota_id}: {self.n}"
