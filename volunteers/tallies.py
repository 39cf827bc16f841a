"""Volunteers per agency and status, counted by the database (``core.tallies``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tallies import Tally, TallyRow, register

TALLY = register(
    Tally(
        table="volunteers_volunteertally",
        source="volunteers_volunteer",
        keys=(("agency_id", "sending_agency_id"), ("status", "status")),
    )
)


class VolunteerTally(TallyRow):
    """How many volunteers an agency has in a status. Kept by triggers: never write it."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("volunteer count")
        verbose_name_plural = _("volunteer counts")
        constraints = [
            models.UniqueConstraint(fields=["agency", "status"], name="volunteer_tally_key"),
        ]
