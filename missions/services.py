"""Writes on missions and placements, with the rules of the exchange.

Views check who may act (``agencies.rules``); these functions check what may happen and raise
``DomainError`` with a translated message when it may not. The rules of a placement are
checked at nomination and again at confirmation (time passes in between: the agreement may be
suspended, the volunteer placed elsewhere). Confirmation locks the quota row, so that two
managers confirming at the same moment are counted one after the other.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dates import check_dates
from core.errors import DomainError
from exchanges.models import AgreementStatus, Quota
from exchanges.selectors import quota_places
from volunteers.eligibility import Rules, evaluate
from volunteers.models import Volunteer

from . import departures, nomination_checks, notifications
from .models import LIVE_STATUSES, USED_STATUSES, FollowUp, Mission, Placement
from .placement_dates import add_months, check_departure, check_return

S = Placement.Status


def _date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- Rules ----------------------------------------------------------------------------------


def check_agreement(mission: Mission) -> None:
    """Approved by both parties, neither suspended nor terminated, and in force for the whole
    mission; the quota is part of the approved version; the mission starts in its cohort's
    year."""
    quota = mission.quota
    agreement = quota.agreement
    if agreement.last_approved_version_id is None or quota.approved_places is None:
        raise DomainError(
            _("The agreement %(reference)s has not been approved by both parties.")
            % {"reference": agreement.reference}
        )
    if agreement.status in {AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED}:
        raise DomainError(
            _("The agreement %(reference)s is %(state)s: no placement under it.")
            % {"reference": agreement.reference, "state": agreement.get_phase_display().lower()}
        )
    if mission.start_date < agreement.start_date or mission.end_date > agreement.end_date:
        raise DomainError(
            _(
                "The mission (%(start)s – %(end)s) falls outside the agreement %(reference)s "
                "(%(from)s – %(to)s)."
            )
            % {
                "start": _date(mission.start_date),
                "end": _date(mission.end_date),
                "reference": agreement.reference,
                "from": _date(agreement.start_date),
                "to": _date(agreement.end_date),
            }
        )
    check_cohort(quota, mission.start_date)


def check_cohort(quota: Quota, start: datetime.date) -> None:
    """A cohort is the year its missions start in (a mission of 6 to 12 months starting in
    October runs into the next year, as the seeds' 2017 cohort did)."""
    if start.year != quota.cohort:
        raise DomainError(
            _("A mission of the cohort %(cohort)s starts in %(cohort)s, not on %(start)s.")
            % {"cohort": quota.cohort, "start": _date(start)},
            field="start_date",
        )


def quota_full_error(quota: Quota) -> DomainError | None:
    """The refusal to take one more placement under ``quota`` if it has no place left, else
    None. Counts what ``exchanges.selectors.quota_places`` counts, the figure every page shows:
    called under the quota's row lock, it is exact."""
    places = quota_places(quotas=Quota.objects.filter(pk=quota.pk)).get()
    if places.remaining > 0:
        return None
    return DomainError(
        _(
            "The quota %(cohort)s %(sending)s → %(receiving)s is full "
            "(%(used)d/%(places)d places taken)."
        )
        % {
            "cohort": quota.cohort,
            "sending": places.sending.acronym,
            "receiving": places.receiving.acronym,
            "used": places.used,
            "places": places.binding_places,
        }
    )


def check_places(quota: Quota) -> None:
    error = quota_full_error(quota)
    if error is not None:
        raise error


def check_still_taking_part(volunteer: Volunteer) -> None:
    """Neither anonymised nor withdrawn, each refused in its own words."""
    if volunteer.is_anonymised:
        raise DomainError(
            _("This volunteer has been anonymised: they can no longer take part in a mission.")
        )
    if volunteer.status == Volunteer.Status.WITHDRAWN:
        raise DomainError(_("%(volunteer)s has withdrawn.") % {"volunteer": volunteer})


def check_volunteer(mission: Mission, volunteer: Volunteer, exclude: int | None = None) -> None:
    """Sent by the quota's sender, eligible on the start date, free for the mission's dates."""
    quota = mission.quota
    if volunteer.sending_agency_id != quota.sending_id:
        raise DomainError(
            _("%(volunteer)s is not a volunteer of %(agency)s, the sending agency of this quota.")
            % {"volunteer": volunteer, "agency": quota.sending.acronym}
        )
    check_still_taking_part(volunteer)
    rules = Rules(**dataclasses.asdict(quota.agreement.eligibility_rules()))
    periods = [e.period for e in volunteer.experiences.all()]
    result = evaluate(
        volunteer.birth_date,
        periods,
        mission.start_date,
        rules,
        year_only=volunteer.is_anonymised,
    )
    if not result.eligible:
        raise DomainError(
            _("%(volunteer)s is not eligible on %(date)s: %(reasons)s")
            % {
                "volunteer": volunteer,
                "date": _date(mission.start_date),
                "reasons": " ".join(str(r) for r in result.reasons),
            }
        )
    for check in nomination_checks.checks():
        check(mission, volunteer, periods)
    overlapping = (
        Placement.objects.filter(
            volunteer=volunteer,
            status__in=LIVE_STATUSES,
            mission__start_date__lte=mission.end_date,
            mission__end_date__gte=mission.start_date,
        )
        .exclude(pk=exclude)
        .select_related("mission")
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            _(
                "%(volunteer)s already has a placement (%(status)s) on “%(mission)s” from "
                "%(start)s to %(end)s, which overlaps this mission."
            )
            % {
                "volunteer": volunteer,
                "status": overlapping.get_status_display(),
                "mission": overlapping.mission.title,
                "start": _date(overlapping.mission.start_date),
                "end": _date(overlapping.mission.end_date),
            }
        )


def check_withdrawal(volunteer: Volunteer) -> None:
    """A volunteer withdraws from the register once no placement of theirs is under way: each
    is withdrawn first, on its mission's page, with its reason and the host told
    (``settings.VOLUNTEER_WITHDRAWAL_CHECKS``)."""
    live = (
        volunteer.placements.filter(status__in=LIVE_STATUSES)
        .select_related("mission")
        .order_by("mission__start_date", "pk")
        .first()
    )
    if live is not None:
        raise DomainError(
            _(
                "%(volunteer)s has a placement under way (%(status)s) on “%(mission)s”: "
                "withdraw it on the mission's page first, so that the host agency is told."
            )
            % {
                "volunteer": volunteer,
                "status": live.get_status_display().lower(),
                "mission": live.mission.title,
            }
        )


def check_mission(
    *,
    quota: Quota,
    host_structure,
    theme,
    start: datetime.date,
    end: datetime.date,
    places: int | None = None,
) -> None:
    """A mission's own rules: host structure of the host agency, a theme of the agreement,
    dates within the agreement, starting in the cohort's year, of an allowed duration, and no
    more places than its quota has (``places``: the mission's)."""
    check_dates(start_date=start, end_date=end)
    agreement = quota.agreement
    # The quota's places agreed; a row an amendment adds, not approved yet, has none agreed:
    # the places it proposes then (a draft mission may be prepared under it).
    limit = quota.agreed_places or quota.places
    if places is not None and places > limit:
        raise DomainError(
            ngettext(
                "The quota of cohort %(cohort)s, %(sending)s → %(receiving)s, has %(count)d "
                "place: a mission under it cannot offer more.",
                "The quota of cohort %(cohort)s, %(sending)s → %(receiving)s, has %(count)d "
                "places: a mission under it cannot offer more.",
                limit,
            )
            % {
                "cohort": quota.cohort,
                "sending": quota.sending.acronym,
                "receiving": quota.receiving.acronym,
                "count": limit,
            },
            field="places",
        )
    if host_structure.agency_id != quota.receiving_id:
        raise DomainError(
            _("The host structure must be one of %(agency)s, the host agency of this quota.")
            % {"agency": quota.receiving.acronym},
            field="host_structure",
        )
    themes = list(agreement.themes.all())
    if themes and theme not in themes:
        raise DomainError(
            _("The theme must be one of the agreement's: %(themes)s.")
            % {"themes": ", ".join(str(t) for t in themes)}
        )
    if start < agreement.start_date or end > agreement.end_date:
        raise DomainError(
            _("The mission's dates must fall within the agreement (%(from)s – %(to)s).")
            % {"from": _date(agreement.start_date), "to": _date(agreement.end_date)}
        )
    check_cohort(quota, start)
    longest = quota.duration_months or agreement.max_duration_months
    shortest = min(agreement.min_duration_months, longest)
    last_day = datetime.timedelta(days=1)
    if end < add_months(start, shortest) - last_day or end > add_months(start, longest) - last_day:
        raise DomainError(
            _("A mission under this quota lasts from %(min)d to %(max)d months.")
            % {"min": shortest, "max": longest}
        )


# --- Missions -------------------------------------------------------------------------------


def _save_mission(mission: Mission, *, opens: bool) -> Mission:
    """``opens``: the mission becomes open under its quota (created open, reopened, moved to
    another quota), which then needs a place left: nominations under a full quota would be
    refused."""
    check_mission(
        quota=mission.quota,
        host_structure=mission.host_structure,
        theme=mission.theme,
        start=mission.start_date,
        end=mission.end_date,
        places=mission.places,
    )
    try:
        mission.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    if opens and mission.status == Mission.Status.OPEN:
        error = quota_full_error(mission.quota)
        if error is not None:
            raise DomainError(
                _(
                    "%(full)s Open the mission under a cohort with places left, or save it as "
                    "a draft."
                )
                % {"full": error.message},
                field="quota",
            )
    mission.save()
    return mission


@transaction.atomic
def mission_create(*, mission: Mission, user) -> Mission:
    mission.created_by = user if user and user.is_authenticated else None
    return _save_mission(mission, opens=True)


def check_places_taken(mission: Mission) -> None:
    used = mission.placements.filter(status__in=USED_STATUSES).count()
    if mission.places < used:
        raise DomainError(
            _("%(used)d places are already taken: the mission cannot have fewer.") % {"used": used},
            field="places",
        )


@transaction.atomic
def mission_update(*, mission: Mission, user) -> Mission:
    before = Mission.objects.select_for_update().get(pk=mission.pk)
    if before.quota_id != mission.quota_id and mission.placements.exists():
        raise DomainError(_("A mission with placements cannot move to another quota."))
    check_places_taken(mission)
    check_closing(mission, was=before.status)
    opens = before.quota_id != mission.quota_id or before.status != Mission.Status.OPEN
    _save_mission(mission, opens=opens)
    moved = (before.start_date, before.end_date) != (mission.start_date, mission.end_date)
    if moved:
        check_placements_still_fit(mission)
    check_opening_again(mission, was=before.status)
    # More places or fewer: filled or open again.
    _refresh_mission_status(mission)
    if moved and before.start_date != mission.start_date:
        departures.checklist_reschedule(mission=mission)
    return mission


def check_placements_still_fit(mission: Mission) -> None:
    """New dates of a mission must still suit the volunteers nominated, confirmed or deployed
    on it: eligible on the new start, free of any other placement over the new dates."""
    live = mission.placements.filter(status__in=LIVE_STATUSES).select_related("volunteer")
    for placement in live.order_by("pk"):
        try:
            check_volunteer(mission, placement.volunteer, exclude=placement.pk)
        except DomainError as exc:
            raise DomainError(
                _(
                    "These dates do not suit a volunteer of this mission (%(status)s): "
                    "%(reason)s Keep the dates, or settle that placement first."
                )
                % {"status": placement.get_status_display().lower(), "reason": exc.message},
                field="start_date",
            ) from exc


def check_closing(mission: Mission, *, was: str) -> None:
    """A mission put back to draft or cancelled has no placement under way."""
    closes = mission.status in {Mission.Status.DRAFT, Mission.Status.CANCELLED}
    live = mission.placements.filter(status__in=LIVE_STATUSES).count() if closes else 0
    if live and mission.status != was:
        raise DomainError(
            ngettext(
                "A placement of this mission is under way (nominated, confirmed or deployed): "
                "decline, cancel or withdraw it first.",
                "%(count)d placements of this mission are under way (nominated, confirmed or "
                "deployed): decline, cancel or withdraw them first.",
                live,
            )
            % {"count": live},
            field="status",
        )


def check_opening_again(mission: Mission, *, was: str) -> None:
    """A filled or finished mission given more places opens again: its quota needs a place
    left, as for a mission created open."""
    if was == Mission.Status.OPEN or _status_from_placements(mission) != Mission.Status.OPEN:
        return
    error = quota_full_error(mission.quota)
    if error is not None:
        raise DomainError(
            _("%(full)s The mission cannot open again for more places.") % {"full": error.message},
            field="places",
        )


def _refresh_mission_status(mission: Mission) -> None:
    """Filled, in progress or completed follow the placements; draft and cancelled stay."""
    status = _status_from_placements(mission)
    if status != mission.status:
        mission.status = status
        Mission.objects.filter(pk=mission.pk).update(status=status)


def _status_from_placements(mission: Mission) -> str:
    """The status the placements give ``mission`` (with its places as they are set now).

    Finished only when every place holds a completed placement and none is confirmed or under
    way: a volunteer back early ends their placement, not the mission's other places."""
    if mission.status in {Mission.Status.DRAFT, Mission.Status.CANCELLED}:
        return mission.status
    counts = mission.placements.aggregate(
        confirmed=Count("pk", filter=Q(status=S.CONFIRMED)),
        deployed=Count("pk", filter=Q(status=S.DEPLOYED)),
        completed=Count("pk", filter=Q(status=S.COMPLETED)),
    )
    if counts["deployed"]:
        status = Mission.Status.IN_PROGRESS
    elif counts["completed"] >= mission.places and not counts["confirmed"]:
        status = Mission.Status.COMPLETED
    elif sum(counts.values()) >= mission.places:
        status = Mission.Status.FILLED
    else:
        status = Mission.Status.OPEN
    return status


# --- Placements -----------------------------------------------------------------------------


def _locked_volunteer(volunteer_id: int) -> Volunteer:
    return (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("sending_agency")
        .get(pk=volunteer_id)
    )


def _locked_placement(placement: Placement) -> Placement:
    """The placement re-read under a row lock, with its mission and quota."""
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related(
            "mission__quota__agreement",
            "mission__quota__sending",
            "mission__quota__receiving",
            "mission__host_structure",
            "volunteer__sending_agency",
        )
        .get(pk=placement.pk)
    )


def _expect(placement: Placement, *statuses: str) -> None:
    if placement.status not in statuses:
        raise DomainError(
            _("This placement is %(status)s: this step is not possible.")
            % {"status": placement.get_status_display().lower()}
        )


# What a volunteer's placements make of them, the first that applies: on a mission, selected
# for one ahead, back from one. The order of the steps does not matter: a confirmation for next
# year leaves a volunteer on mission "deployed", a return leaves one confirmed elsewhere
# "selected".
_STATUS_FROM_PLACEMENTS = (
    (S.DEPLOYED, Volunteer.Status.DEPLOYED),
    (S.CONFIRMED, Volunteer.Status.SELECTED),
    (S.COMPLETED, Volunteer.Status.RETURNED),
)


def volunteer_status_from_placements(volunteer: Volunteer) -> str:
    """The status that the volunteer's placements give: deployed while one is under way,
    selected while one is confirmed, returned once one is completed, else candidate (a
    nomination, declined, cancelled or withdrawn placement changes nothing). A withdrawal from
    the register is the volunteer's own decision, not a placement's: it stays."""
    if volunteer.status == Volunteer.Status.WITHDRAWN:
        return Volunteer.Status.WITHDRAWN
    held = set(
        volunteer.placements.filter(status__in=[s for s, _status in _STATUS_FROM_PLACEMENTS])
        .values_list("status", flat=True)
        .distinct()
    )
    for placement_status, status in _STATUS_FROM_PLACEMENTS:
        if placement_status in held:
            return status
    return Volunteer.Status.CANDIDATE


def _volunteer_follows(volunteer: Volunteer) -> None:
    """After any step of a placement, under the volunteer's row lock: the status is what all
    their placements say (``volunteer_status_from_placements``), never the step's alone."""
    status = volunteer_status_from_placements(volunteer)
    if volunteer.status != status:
        volunteer.status = status
        volunteer.save(update_fields=["status", "updated_at"])


@transaction.atomic
def placement_nominate(*, mission: Mission, volunteer: Volunteer, user, base_url="") -> Placement:
    mission = Mission.objects.select_related(
        "quota__agreement", "quota__sending", "quota__receiving"
    ).get(pk=mission.pk)
    if mission.status != Mission.Status.OPEN:
        raise DomainError(
            _("The mission is %(status)s: it takes no nomination.")
            % {"status": mission.get_status_display().lower()}
        )
    # The volunteer's row lock makes two nominations of one volunteer wait for each other, so
    # that the overlap check sees the first.
    volunteer = _locked_volunteer(volunteer.pk)
    check_agreement(mission)
    # Refused, not put on a waiting list: a nomination the host could never confirm.
    check_places(mission.quota)
    check_volunteer(mission, volunteer)
    placement = Placement(
        mission=mission, quota_id=mission.quota_id, volunteer=volunteer, nominated_by=user
    )
    placement.full_clean()
    placement.save()
    notifications.placement_changed(placement, by_agency_id=mission.quota.sending_id, url=base_url)
    return placement


@transaction.atomic
def placement_cancel(*, placement: Placement, user, reason: str = "") -> Placement:
    placement = _locked_placement(placement)
    _expect(placement, S.NOMINATED)
    placement.status, placement.reason = S.CANCELLED, reason
    placement.save()
    _volunteer_follows(_locked_volunteer(placement.volunteer_id))
    return placement


@transaction.atomic
def placement_confirm(*, placement: Placement, user, note: str = "", base_url="") -> Placement:
    """The host accepts the nomination; ``note`` (optional) is kept as the placement's reason
    and sent to the sending agency with the confirmation."""
    # The quota row first (every confirmation under this quota queues here), then the rest.
    Quota.objects.select_for_update().get(pk=placement.quota_id)
    placement = _locked_placement(placement)
    _expect(placement, S.NOMINATED)
    mission = placement.mission
    quota = mission.quota
    if mission.status in {Mission.Status.DRAFT, Mission.Status.CANCELLED}:
        raise DomainError(
            _("The mission is %(status)s: it takes no confirmation.")
            % {"status": mission.get_status_display().lower()}
        )
    volunteer = _locked_volunteer(placement.volunteer_id)
    check_agreement(mission)
    check_volunteer(mission, volunteer, exclude=placement.pk)
    check_places(quota)
    taken = mission.placements.filter(status__in=USED_STATUSES).count()
    if taken >= mission.places:
        raise DomainError(
            _("The mission is full (%(used)d/%(places)d places taken).")
            % {"used": taken, "places": mission.places}
        )
    placement.status, placement.reason = S.CONFIRMED, note.strip()
    placement.decided_by, placement.decided_at = user, timezone.now()
    placement.save()
    _volunteer_follows(volunteer)
    _refresh_mission_status(mission)
    departures.checklist_create(placement=placement)
    notifications.placement_changed(placement, by_agency_id=quota.receiving_id, url=base_url)
    return placement


@transaction.atomic
def placement_decline(*, placement: Placement, user, reason: str, base_url="") -> Placement:
    if not reason.strip():
        raise DomainError(_("Give the reason for declining."))
    placement = _locked_placement(placement)
    _expect(placement, S.NOMINATED)
    placement.status, placement.reason = S.DECLINED, reason.strip()
    placement.decided_by, placement.decided_at = user, timezone.now()
    placement.save()
    _volunteer_follows(_locked_volunteer(placement.volunteer_id))
    notifications.placement_changed(
        placement, by_agency_id=placement.quota.receiving_id, url=base_url
    )
    return placement


@transaction.atomic
def placement_deploy(
    *, placement: Placement, user, departure_date: datetime.date, override_reason: str = ""
) -> Placement:
    placement = _locked_placement(placement)
    _expect(placement, S.CONFIRMED)
    volunteer = _locked_volunteer(placement.volunteer_id)
    check_still_taking_part(volunteer)
    check_departure(placement.mission, departure_date)  # the date's field error first
    departures.check_departure_checklist(
        placement=placement, user=user, override_reason=override_reason
    )
    placement.status, placement.departure_date = S.DEPLOYED, departure_date
    placement.full_clean()
    placement.save()
    _volunteer_follows(volunteer)
    _refresh_mission_status(placement.mission)
    return placement


@transaction.atomic
def placement_complete(
    *,
    placement: Placement,
    user,
    return_date: datetime.date,
    early_return_reason: str = "",
    early_return_note: str = "",
) -> Placement:
    """The return; an early one records its reason. Follow-ups fall due 3, 6 and 12 months
    after the real return date."""
    placement = _locked_placement(placement)
    _expect(placement, S.DEPLOYED)
    early = check_return(placement, return_date, early_return_reason, early_return_note)
    placement.status, placement.return_date = S.COMPLETED, return_date
    placement.early_return_reason = early_return_reason if early else ""
    placement.early_return_note = early_return_note.strip() if early else ""
    placement.save()
    FollowUp.objects.bulk_create(
        [
            FollowUp(placement=placement, due_month=m, due_date=add_months(return_date, m))
            for m in FollowUp.MONTHS
        ],
        ignore_conflicts=True,
    )
    _volunteer_follows(_locked_volunteer(placement.volunteer_id))
    _refresh_mission_status(placement.mission)
    return placement


@transaction.atomic
def placement_withdraw(*, placement: Placement, user, reason: str, base_url="") -> Placement:
    if not reason.strip():
        raise DomainError(_("Give the reason for the withdrawal."))
    placement = _locked_placement(placement)
    _expect(placement, S.NOMINATED, S.CONFIRMED, S.DEPLOYED)
    placement.status, placement.reason = S.WITHDRAWN, reason.strip()
    placement.save()
    _volunteer_follows(_locked_volunteer(placement.volunteer_id))
    _refresh_mission_status(placement.mission)
    notifications.placement_changed(placement, by_user=user, url=base_url)
    return placement


@transaction.atomic
def follow_up_record(*, follow_up: FollowUp, user, situation: str, note: str = "") -> FollowUp:
    """The volunteer's situation 3, 6 or 12 months after the return, known from its due date."""
    today = timezone.localdate()
    if follow_up.due_date > today:
        raise DomainError(
            _("This follow-up falls due on %(due)s: the situation is recorded from then on.")
            % {"due": _date(follow_up.due_date)}
        )
    follow_up.situation, follow_up.note = situation, note
    follow_up.recorded_by, follow_up.recorded_at = user, timezone.now()
    try:
        follow_up.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    follow_up.save()
    return follow_up
