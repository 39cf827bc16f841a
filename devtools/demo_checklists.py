"""Demo pre-departure checklist and alerts, called by ``devtools.demo.load_demo`` (last).

A Togolese volunteer confirmed on an Ecuadorian mission leaving in seven weeks: passport, visa
and insurance done, the ticket late (due three months before the departure, as the Lomé
evaluation recommends), the medical check due within days; the host's welcome contact to come.
ANVT's home page therefore shows alerts (the late ticket, the medical check, the full 2017
quotas with open missions, overdue recommendations), one of which is acknowledged by its manager.

Idempotent: the mission is found by its title; the acknowledgement is made once.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, HostStructure, Theme
from dashboard.alerts import alerts_for
from dashboard.models import AlertAcknowledgement, AlertKind
from devtools.demo_missions import record_as_lived
from exchanges.models import Quota
from missions.departures import checklist_create
from missions.models import ChecklistItem, Mission, Placement
from missions.services import add_months
from volunteers.eligibility import Rules
from volunteers.models import Volunteer
from volunteers.selectors import with_eligibility

CHECKLIST_MISSION = "Educación ambiental en las escuelas de Mindo"
DONE = ("passport", "visa", "insurance")
# A scan stands in for the visa: any PDF will do.
VISA_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load_checklists(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if Mission.objects.filter(title=CHECKLIST_MISSION).exists():
        return
    # Next year's cohort (approved; a mission starts in its cohort's year), in about 50 days.
    start = max(today + datetime.timedelta(days=50), datetime.date(today.year + 1, 1, 10))
    quota = (
        Quota.objects.filter(
            agreement__reference="VIR-TG-EC-2017",
            sending__acronym="ANVT",
            receiving__acronym="VASE",
            cohort=start.year,
        )
        .select_related("agreement")
        .first()
    )
    if quota is None:
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_USERNAMES)}
    mission = Mission(
        quota=quota,
        host_structure=HostStructure.objects.get(name="Fundación Bosque Nublado"),
        title=CHECKLIST_MISSION,
        description="",
        theme=Theme.objects.get(code="education"),
        city="Mindo",
        start_date=start,
        end_date=add_months(start, 9) - datetime.timedelta(days=1),
        places=1,
        status=Mission.Status.FILLED,
        created_by=users.get("vase-manager"),
    )
    mission.take_quota_agencies()
    (mission,) = bulk_create_with_history([mission], Mission)
    rules = Rules(**dataclasses.asdict(quota.agreement.eligibility_rules()))
    busy = Placement.objects.filter(volunteer=OuterRef("pk"))
    volunteer = (
        with_eligibility(
            Volunteer.objects.filter(
                sending_agency=quota.sending_id, status=Volunteer.Status.CANDIDATE
            ),
            start,
            rules,
        )
        .filter(eligible=True)
        .exclude(Exists(busy))
        .order_by("pk")
        .first()
    )
    if volunteer is None:
        return
    (placement,) = bulk_create_with_history(
        [
            Placement(
                mission=mission,
                quota_id=quota.pk,
                volunteer=volunteer,
                status=Placement.Status.CONFIRMED,
                nominated_by=users.get("anvt-manager"),
                decided_by=users.get("vase-manager"),
                decided_at=timezone.now() - datetime.timedelta(days=60),
            )
        ],
        Placement,
    )
    placement.mission = mission
    record_as_lived([placement])
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.SELECTED)
    checklist_create(placement=placement)
    ChecklistItem.objects.filter(placement=placement, kind__in=DONE).update(
        status=ChecklistItem.Status.DONE,
        updated_by=users.get("anvt-officer"),
        updated_at=timezone.now() - datetime.timedelta(days=20),
    )
    visa = ChecklistItem.objects.get(placement=placement, kind="visa")
    visa.document.save("visa.pdf", ContentFile(VISA_PDF), save=False)
    visa.document_name = "visa.pdf"
    visa.save(update_fields=["document", "document_name"])
    _acknowledge_one(users.get("anvt-manager"), today)


_USERNAMES = ["anvt-manager", "anvt-officer", "vase-manager"]


def _acknowledge_one(user, today: datetime.date) -> None:
    """ANVT's manager has taken an overdue recommendation in hand (else the first alert)."""
    anvt = Agency.objects.get(acronym="ANVT")
    alerts = alerts_for(agency=anvt, today=today)
    chosen = next(
        (a for a in alerts if a.kind == AlertKind.RECOMMENDATION_OVERDUE),
        next((a for a in alerts if a.kind != AlertKind.CHECKLIST_LATE), None),
    )
    if chosen is not None:
        AlertAcknowledgement.objects.get_or_create(
            agency=anvt, kind=chosen.kind, key=chosen.key, defaults={"user": user}
        )
