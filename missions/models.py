"""Missions offered by a host agency under a quota, and the placements of volunteers on them.

A mission belongs to a quota (agreement × cohort × direction): the quota's receiving agency is
the host, its sending agency nominates. Placements carry their quota too (copied from the
mission, which cannot change quota once it has placements) so that counting a quota's
placements by status is one indexed lookup, not a join through the missions. Missions carry
their quota's two agencies (copied on save, kept equal by a composite foreign key on
PostgreSQL) so that an agency's list walks one index in its order, without a join per row.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import validate_date
from core.links import pk_url
from core.models import QuickChoiceLabels
from core.search import search_text


class MissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


# What the mission list filters on, in its order index: an agency's page walks the index alone.
LIST_COLUMNS = [
    "sending", "receiving", "status", "theme", "host_structure", "end_date", "search_text"
]  # fmt: skip


class Mission(QuickChoiceLabels, models.Model):
    Status = MissionStatus

    quota = models.ForeignKey(
        "exchanges.Quota",
        verbose_name=_("quota"),
        on_delete=models.PROTECT,
        related_name="missions",
    )
    host_structure = models.ForeignKey(
        "agencies.HostStructure",
        verbose_name=_("host structure"),
        on_delete=models.PROTECT,
        related_name="missions",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        "agencies.Theme", verbose_name=_("theme"), on_delete=models.PROTECT, related_name="+"
    )
    city = models.CharField(_("city"), max_length=100)
    start_date = models.DateField(_("start date"), validators=[validate_date])
    end_date = models.DateField(_("end date"), validators=[validate_date])
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=MissionStatus.choices, default=MissionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The quota's agencies, copied by ``save`` (and by the bulk loaders): the mission list of an
    # agency filters on them in its order index (``mission_list_covering``) instead of joining each
    # mission to its quota. On PostgreSQL a composite foreign key to the quota's
    # ``(id, sending, receiving)`` keeps them equal (migration 0015).
    sending = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("sending agency"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    receiving = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("host agency"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # Title and city in capitals without accents, what the list's search reads
    # (``search_text__matches``, core.search).
    search_text = models.GeneratedField(
        expression=search_text("title", "city"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("search text"),
    )

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["-start_date", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1),
                name="mission_at_least_one_place",
                violation_error_message=_("A mission has at least one place."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")),
                name="mission_dates_in_order",
                violation_error_message=_("The end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=MissionStatus.values), name="mission_status_valid"
            ),
        ]
        indexes = [
            # The list's order, with what its filters read: an agency's page, its search and
            # its deep pages are one walk of this index, without the table.
            models.Index(
                fields=["-start_date", "title", "id"],
                include=LIST_COLUMNS,
                name="mission_list_covering",
            ),
            models.Index(fields=["quota", "status"], name="mission_quota_status_idx"),
            # The home page lists the returns due soon.
            models.Index(fields=["end_date"], name="mission_end_date_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or "quota" in fields:
            self.take_quota_agencies()
            if fields is not None:
                kwargs["update_fields"] = {*fields, "sending", "receiving"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("missions:detail", self.pk)

    def take_quota_agencies(self) -> None:
        """Copy the quota's agencies (``save`` does; a bulk insert calls it itself)."""
        self.sending_id, self.receiving_id = self.quota.sending_id, self.quota.receiving_id

    @property
    def host_agency_id(self) -> int:
        return self.receiving_id

    @property
    def sending_agency_id(self) -> int:
        return self.sending_id


class PlacementStatus(models.TextChoices):
    # Labels distinct from the plural column headers of the quota figures ("Confirmed"...).
    NOMINATED = "nominated", _("Nominated by the sender")
    CONFIRMED = "confirmed", _("Confirmed by the host")
    DECLINED = "declined", _("Declined by the host")
    CANCELLED = "cancelled", _("Cancelled by the sender")
    DEPLOYED = "deployed", _("On mission")
    COMPLETED = "completed", _("Mission completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EarlyReturnReason(models.TextChoices):
    INTERRUPTION = "interruption", _("Mission interrupted")
    REPATRIATION = "repatriation", _("Repatriation")
    HEALTH = "health", _("Health")
    DISCIPLINARY = "disciplinary", _("Disciplinary")
    PERSONAL = "personal", _("Personal reasons")
    OTHER = "other", _("Other")


# A volunteer holds at most one of these at a time for overlapping dates.
LIVE_STATUSES = [PlacementStatus.NOMINATED, PlacementStatus.CONFIRMED, PlacementStatus.DEPLOYED]
# These take a place of the quota and of the mission.
USED_STATUSES = [PlacementStatus.CONFIRMED, PlacementStatus.DEPLOYED, PlacementStatus.COMPLETED]


class Placement(QuickChoiceLabels, models.Model):
    """A volunteer on a mission: nominated by the sender, confirmed or declined by the host,
    deployed, completed, or withdrawn at any step; the sender cancels before confirmation.

    The transitions are kept by the history table (who, when, status, reason)."""

    Status = PlacementStatus
    EarlyReturn = EarlyReturnReason

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.PROTECT, related_name="placements"
    )
    quota = models.ForeignKey(
        "exchanges.Quota",
        verbose_name=_("quota"),
        on_delete=models.PROTECT,
        related_name="placements",
        editable=False,
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlacementStatus.choices, default="nominated"
    )
    reason = models.TextField(_("reason"), blank=True)
    departure_date = models.DateField(
        _("departure date"), null=True, blank=True, validators=[validate_date]
    )
    return_date = models.DateField(
        _("return date"), null=True, blank=True, validators=[validate_date]
    )
    # A return before the mission's end (less the tolerance) or before the agreement's shortest
    # duration says why (missions/placement_dates.py); blank for a return on time.
    early_return_reason = models.CharField(
        _("reason for the early return"),
        max_length=20,
        choices=EarlyReturnReason.choices,
        blank=True,
    )
    early_return_note = models.TextField(_("details of the early return"), blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nominated_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-nominated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlacementStatus.values), name="placement_status_valid"
            ),
            models.UniqueConstraint(
                fields=["mission", "volunteer"],
                condition=Q(status__in=[*LIVE_STATUSES, PlacementStatus.COMPLETED]),
                name="placement_once_per_mission",
                violation_error_message=_("This volunteer is already placed on this mission."),
            ),
            models.CheckConstraint(
                condition=Q(return_date__isnull=True)
                | Q(departure_date__isnull=True)
                | Q(return_date__gte=F("departure_date")),
                name="placement_return_after_departure",
                violation_error_message=_("The return cannot be before the departure."),
            ),
            models.CheckConstraint(
                condition=Q(early_return_reason__in=["", *EarlyReturnReason.values]),
                name="placement_early_return_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(early_return_reason="") | Q(return_date__isnull=False),
                name="placement_early_return_has_a_return",
            ),
        ]
        indexes = [
            # The quota figures count placements per quota and status.
            models.Index(fields=["quota", "status"], name="placement_quota_status_idx"),
            models.Index(fields=["mission", "status"], name="placement_mission_status_idx"),
            models.Index(fields=["volunteer", "status"], name="placement_volunteer_idx"),
            # Nominations awaiting an answer (home page, inbox): few among millions, found
            # with their ids from the index alone.
            models.Index(
                fields=["quota", "id"],
                condition=Q(status=PlacementStatus.NOMINATED),
                name="placement_nominated_idx",
            ),
            # The home page lists them longest waiting first, across every agency for an
            # administrator: read in this order, never sorted.
            models.Index(
                fields=["nominated_at", "id"],
                condition=Q(status=PlacementStatus.NOMINATED),
                name="placement_waiting_idx",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} — {self.mission}"

    def get_absolute_url(self):
        return pk_url("missions:detail", self.mission_id) + f"#placement-{self.pk}"


class FollowUp(QuickChoiceLabels, models.Model):
    """The volunteer's situation 3, 6 and 12 months after return (insertion)."""

    class Situation(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        STUDYING = "studying", _("Studying")
        OWN_BUSINESS = "own_business", _("Own business")
        VOLUNTEERING = "volunteering", _("Volunteering")
        SEEKING_WORK = "seeking_work", _("Seeking work")
        OTHER = "other", _("Other")

    MONTHS = (3, 6, 12)

    placement = models.ForeignKey(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_month = models.PositiveSmallIntegerField(
        _("months after return"), choices=[(m, m) for m in MONTHS]
    )
    due_date = models.DateField(_("due date"))
    situation = models.CharField(
        _("situation"), max_length=20, choices=Situation.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "due_month"], name="followup_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(due_month__in=[3, 6, 12]), name="followup_due_month_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(recorded_at__isnull=True),
                name="followup_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.placement} +{self.due_month}"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None

    def is_due(self, today: datetime.date) -> bool:
        return not self.is_recorded and self.due_date <= today


from .checklist import ChecklistItem, DepartureOverride  # noqa: E402, F401  (likewise)
from .tallies import DirectionUse, PlacementTally, QuotaUse  # noqa: E402, F401  (models of this app, in their own module)
