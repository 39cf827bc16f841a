"""Placements per quota and status, counted by the database (``core.tallies``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tallies import Tally, TallyRow, register
from core.triggers import register_sqlite_triggers

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


# The places taken per agreement and direction: the placements of ``USED_TALLY`` counted by
# their quota's agreement and sending agency (read through the quota), so that an agreement's
# reciprocity balance is two rows, not a sum over its quotas (the alerts of a large agency
# summed 2,860 quotas' counts: docs/performance.md).
_OF_QUOTA = "(SELECT q.{column} FROM exchanges_quota q WHERE q.id = {{row}}.quota_id)"
DIRECTION_TALLY = register(
    Tally(
        table="missions_directionuse",
        source="missions_placement",
        keys=(
            ("agreement_id", _OF_QUOTA.format(column="agreement_id")),
            ("sending_id", _OF_QUOTA.format(column="sending_id")),
        ),
        only=USED_TALLY.only,
        watched=("status", "quota_id"),
    )
)

# A quota moved to another agreement or sending agency (the admin may) takes its places taken
# with it: its count leaves the old direction and joins the new one. PostgreSQL: one trigger
# per statement (migration 0016); SQLite: registered here, made after every ``migrate``.
SQLITE_QUOTA_MOVED = register_sqlite_triggers(
    names=["missions_directionuse_quota_moved"],
    create=[
        """CREATE TRIGGER missions_directionuse_quota_moved
        AFTER UPDATE OF agreement_id, sending_id ON exchanges_quota FOR EACH ROW
        WHEN OLD.agreement_id IS NOT NEW.agreement_id OR OLD.sending_id IS NOT NEW.sending_id
        BEGIN
        UPDATE missions_directionuse SET n = n - COALESCE(
            (SELECT u.n FROM missions_quotause u WHERE u.quota_id = OLD.id), 0)
        WHERE agreement_id = OLD.agreement_id AND sending_id = OLD.sending_id;
        INSERT INTO missions_directionuse (agreement_id, sending_id, n)
        SELECT NEW.agreement_id, NEW.sending_id, u.n FROM missions_quotause u
        WHERE u.quota_id = NEW.id AND u.n <> 0
        ON CONFLICT (agreement_id, sending_id)
        DO UPDATE SET n = missions_directionuse.n + excluded.n;
        END"""
    ],
    tables=["exchanges_quota", "missions_quotause", "missions_directionuse"],
)

POSTGRES_QUOTA_MOVED = [
    """CREATE OR REPLACE FUNCTION missions_directionuse_quota_moved() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
    INSERT INTO missions_directionuse (agreement_id, sending_id, n)
    SELECT agreement_id, sending_id, SUM(d) FROM (
        SELECT o.agreement_id, o.sending_id, -u.n AS d FROM old_rows o
        JOIN new_rows nw ON nw.id = o.id JOIN missions_quotause u ON u.quota_id = o.id
        WHERE (o.agreement_id, o.sending_id) IS DISTINCT FROM (nw.agreement_id, nw.sending_id)
        UNION ALL
        SELECT nw.agreement_id, nw.sending_id, u.n FROM old_rows o
        JOIN new_rows nw ON nw.id = o.id JOIN missions_quotause u ON u.quota_id = o.id
        WHERE (o.agreement_id, o.sending_id) IS DISTINCT FROM (nw.agreement_id, nw.sending_id)
    ) AS delta GROUP BY agreement_id, sending_id HAVING SUM(d) <> 0
    ORDER BY agreement_id, sending_id
    ON CONFLICT (agreement_id, sending_id) DO UPDATE SET n = missions_directionuse.n + EXCLUDED.n;
    RETURN NULL; END $$""",
    """CREATE TRIGGER missions_directionuse_quota_moved AFTER UPDATE ON exchanges_quota
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION missions_directionuse_quota_moved()""",
]


class DirectionUse(models.Model):
    """How many places the placements of an agreement take in one direction (its quotas from
    ``sending``), kept by triggers like the counts per quota. Never write it."""

    agreement = models.ForeignKey(
        "exchanges.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="uses",
    )
    sending = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("sending agency"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    n = models.IntegerField(_("places taken"), default=0)

    class Meta:
        verbose_name = _("places taken per direction")
        verbose_name_plural = _("places taken per direction")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "sending"], name="direction_use_key"),
        ]

    def __str__(self):
        return f"{self.agreement_id}/{self.sending_id}: {self.n}"
