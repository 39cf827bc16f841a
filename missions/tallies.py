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
