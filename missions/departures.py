"""What a departure needs: the pre-departure checklist (``missions.checklist``) of a confirmed
placement, created at confirmation, kept by the responsible side, and checked when the departure
is recorded. A departure with required items open is refused, unless a manager allows it with a
reason, which is recorded (``DepartureOverride``) and shown on the mission page.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import DownloadRecord
from agencies.services import download_labels_erase
from core.errors import DomainError
from volunteers.validators import validate_proof_document

from .checklist import (
    ITEMS,
    ChecklistItem,
    ChecklistSide,
    ChecklistStatus,
    DepartureOverride,
    due_date,
)
from .models import FollowUp, Placement


def planned_departure(placement: Placement) -> datetime.date:
    """The departure recorded, else the mission's start."""
    return placement.departure_date or placement.mission.start_date


def checklist_create(*, placement: Placement) -> list[ChecklistItem]:
    """The items of a newly confirmed placement (none twice: a placement confirmed again after
    a withdrawal keeps its items)."""
    departure = planned_departure(placement)
    quota = placement.quota
    agencies = {ChecklistSide.SENDING: quota.sending_id, ChecklistSide.HOST: quota.receiving_id}
    items = [
        ChecklistItem(
            placement=placement,
            kind=rule.kind,
            side=rule.side,
            agency_id=agencies[rule.side],
            required=rule.required,
            due_date=due_date(rule, departure),
        )
        for rule in ITEMS
    ]
    ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)
    return items


def checklist_item_update(
    *, item: ChecklistItem, user, status: str, note: str = "", document=None
) -> ChecklistItem:
    """Record an item's status (and note, and document if one is sent), by whom and when."""
    if status not in ChecklistStatus.values:
        raise DomainError(_("Choose a status for this item."))
    if item.placement.status != Placement.Status.CONFIRMED:
        raise DomainError(
            _("This placement is %(status)s: its checklist is closed.")
            % {"status": item.placement.get_status_display()}
        )
    if document is not None:
        try:
            validate_proof_document(document)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="document") from exc
        item.document = document
        item.document_name = document.name[:255]
    item.status, item.note = status, note.strip()[:255]
    item.updated_by = user if user is not None and user.is_authenticated else None
    item.updated_at = timezone.now()
    item.save()
    return item


def checklist_reschedule(*, mission) -> None:
    """The due dates of the checklists of a mission whose start moved, for its placements
    whose departure is not recorded yet (their planned departure is the mission's start)."""
    rules = {rule.kind: rule for rule in ITEMS}
    items = ChecklistItem.objects.filter(
        placement__mission=mission, placement__departure_date__isnull=True
    )
    changed = []
    for item in items:
        item.due_date = due_date(rules[item.kind], mission.start_date)
        changed.append(item)
    ChecklistItem.objects.bulk_update(changed, ["due_date"])


def open_required_items(placement: Placement) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(
            placement=placement, required=True, status=ChecklistStatus.TO_DO
        ).order_by("due_date", "pk")
    )


def check_departure_checklist(*, placement: Placement, user, override_reason: str = "") -> None:
    """Called at the start of ``placement_deploy``: refuse while a required item is open, unless
    a manager (``vir.override_departure``) gives a reason, then recorded with the open items."""
    missing = open_required_items(placement)
    if not missing:
        return
    reason = override_reason.strip()
    if not reason:
        raise DomainError(
            _(
                "The departure cannot be recorded while required items of the checklist are "
                "open: %(items)s. A manager may record it anyway, giving the reason."
            )
            % {"items": ", ".join(str(item.get_kind_display()) for item in missing)}
        )
    if user is not None and not user.has_perm("vir.override_departure", placement):
        raise DomainError(
            _("Only a manager of either agency may record a departure with open items.")
        )
    DepartureOverride.objects.update_or_create(
        placement=placement,
        defaults={
            "reason": reason,
            "open_items": [item.kind for item in missing],
            "user": user if user is not None and user.is_authenticated else None,
        },
    )


def placements_anonymise(*, volunteer) -> None:
    """What the volunteer's placements keep of them, erased once they are anonymised
    (``volunteers.services.ERASERS``, inside the anonymisation's transaction): the
    pre-departure documents (deleted once the erasure is committed) and the free texts written
    about them (the checklist's notes, the reasons of the placements' changes and of an early
    return, a departure allowed with open items, the follow-ups' notes, also in the history).
    The statuses, dates and reasons chosen from a list stay: the statistics need them. The
    downloads of the documents are named in the log by the item alone."""
    items = ChecklistItem.objects.filter(placement__volunteer=volunteer)
    files = [name for name in items.exclude(document="").values_list("document", flat=True)]
    if files:
        storage = ChecklistItem._meta.get_field("document").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    for item in items.only("pk", "kind"):
        download_labels_erase(
            kind=DownloadRecord.Kind.CHECKLIST_DOCUMENT,
            object_ids=[item.pk],
            label=f"{volunteer.full_name} — {item.get_kind_display()}",
        )
    items.update(document="", document_name="", note="")
    placements = Placement.objects.filter(volunteer=volunteer)
    texts = {"reason": "", "early_return_note": ""}
    placements.update(**texts)
    Placement.history.filter(volunteer_id=volunteer.pk).update(**texts)
    DepartureOverride.objects.filter(placement__volunteer=volunteer).update(reason="")
    follow_ups = FollowUp.objects.filter(placement__volunteer=volunteer)
    FollowUp.history.filter(id__in=follow_ups.values("pk")).update(note="")
    follow_ups.update(note="")
