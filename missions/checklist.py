"""The pre-departure checklist of a confirmed placement, and the record of a departure allowed
with items still open.

The Lomé evaluation of December 2018 found visas and tickets obtained late and the
pre-departure training too short. Each confirmed placement therefore gets the items below, each
due some time before the *planned departure* (the departure recorded, else the mission's start:
the departure is recorded only when the volunteer leaves). The table, in full:

============================================  =========  ==================  ========
item                                          side       due                 required
============================================  =========  ==================  ========
passport valid for the whole stay             sending    4 months before     yes
visa                                          sending    3 months before     yes
ticket                                        sending    3 months before     yes
medical check and vaccinations                sending    45 days before      yes
insurance                                     sending    30 days before      yes
pre-departure training                        sending    14 days before      yes
host welcome contact                          host       30 days before      no
============================================  =========  ==================  ========

Visa and ticket three months before, as the evaluation recommends; the passport before the visa
(a consulate asks for it, valid six months past the return); vaccinations a few weeks ahead
(yellow fever counts from the tenth day, some series take weeks); the training last, two weeks
before, long enough to be followed in full. The host's welcome contact is wanted but does not
hold a departure back: the volunteer may land before the host has written. An item that does not
apply (no visa between ECOWAS countries) is marked "not needed", which closes it.
"""

from __future__ import annotations

import calendar
import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import QuickChoiceLabels

from .models import Placement


class ChecklistKind(models.TextChoices):
    PASSPORT = "passport", _("Passport valid for the whole stay")
    VISA = "visa", _("Visa")
    TICKET = "ticket", _("Ticket")
    MEDICAL = "medical", _("Medical check and vaccinations")
    INSURANCE = "insurance", _("Insurance")
    TRAINING = "training", _("Pre-departure training")
    WELCOME = "welcome", _("Host welcome contact")


class ChecklistSide(models.TextChoices):
    SENDING = "sending", _("Sending agency")
    HOST = "host", _("Host agency")


class ChecklistStatus(models.TextChoices):
    TO_DO = "to_do", pgettext_lazy("checklist item", "To do")
    DONE = "done", pgettext_lazy("checklist item", "Done")
    NOT_NEEDED = "not_needed", pgettext_lazy("checklist item", "Not needed")


class ItemRule(NamedTuple):
    kind: str
    side: str
    months_before: int
    days_before: int
    required: bool


K, Side = ChecklistKind, ChecklistSide

# The table of the module's docstring, in the order the items are shown.
ITEMS: tuple[ItemRule, ...] = (
    ItemRule(K.PASSPORT, Side.SENDING, 4, 0, True),
    ItemRule(K.VISA, Side.SENDING, 3, 0, True),
    ItemRule(K.TICKET, Side.SENDING, 3, 0, True),
    ItemRule(K.MEDICAL, Side.SENDING, 0, 45, True),
    ItemRule(K.INSURANCE, Side.SENDING, 0, 30, True),
    ItemRule(K.TRAINING, Side.SENDING, 0, 14, True),
    ItemRule(K.WELCOME, Side.HOST, 0, 30, False),
)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier, or that month's last day (31 May - 3 months: 28 or 29
    February)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    if year < datetime.MINYEAR:
        return datetime.date.min
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(rule: ItemRule, departure: datetime.date) -> datetime.date:
    """When ``rule``'s item is due for a departure on ``departure``."""
    day = _months_before(departure, rule.months_before) if rule.months_before else departure
    if day.toordinal() <= rule.days_before:
        return datetime.date.min
    return day - datetime.timedelta(days=rule.days_before)


def checklist_document_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    # The stored name carries no personal data; the original name is kept for the download.
    month = f"{datetime.date.today():%Y/%m}"
    return f"missions/checklists/{month}/{instance.placement_id}-{instance.kind}.{suffix}"


class ChecklistItem(QuickChoiceLabels, models.Model):
    """One item of a placement's checklist. ``agency`` is the responsible agency (the quota's
    sender or host, after ``side``), kept on the row so that an agency's open items are read
    from one index for its home page and its alerts."""

    Kind = ChecklistKind
    Side = ChecklistSide
    Status = ChecklistStatus

    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        related_name="checklist_items",
    )
    kind = models.CharField(_("item"), max_length=20, choices=ChecklistKind.choices)
    side = models.CharField(_("responsible side"), max_length=10, choices=ChecklistSide.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    required = models.BooleanField(_("required before departure"), default=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ChecklistStatus.choices, default=ChecklistStatus.TO_DO
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    document = models.FileField(
        _("document"), upload_to=checklist_document_path, blank=True, max_length=255
    )
    document_name = models.CharField(
        _("document file name"), max_length=255, blank=True, editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["placement", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "kind"], name="checklist_item_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ChecklistKind.values), name="checklist_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(side__in=ChecklistSide.values), name="checklist_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ChecklistStatus.values), name="checklist_status_valid"
            ),
        ]
        indexes = [
            # The alerts of an agency: its open items by due date.
            models.Index(
                fields=["agency", "due_date"],
                condition=Q(status=ChecklistStatus.TO_DO),
                name="checklist_open_by_agency",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.placement}"

    @property
    def is_identity_document(self) -> bool:
        return self.kind == ChecklistKind.PASSPORT

    @property
    def is_open(self) -> bool:
        return self.status == ChecklistStatus.TO_DO

    def is_late(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date < today


class DepartureOverride(models.Model):
    """A departure recorded although required items were open: who allowed it, why, and which
    items were open then."""

    placement = models.OneToOneField(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        related_name="departure_override",
    )
    reason = models.TextField(_("reason"))
    open_items = models.JSONField(_("open items"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allowed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("allowed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("departure with open items")
        verbose_name_plural = _("departures with open items")

    def __str__(self):
        return str(self.placement)

    def open_item_labels(self) -> list[str]:
        labels = dict(ChecklistKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.open_items]
