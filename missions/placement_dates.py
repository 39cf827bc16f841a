"""The dates of a placement that make sense: departure, return, early return.

One rule set for the forms (the error shown on the field) and the services (``DomainError``,
whoever calls them). ``PLACEMENT_DATE_TOLERANCE_DAYS`` (30 by default) is the slack that travel
and visas need:

- the departure falls between the mission's start less the tolerance and the mission's end;
- the return comes after the departure and no later than the mission's end plus the tolerance;
- neither is recorded before it happened (a date after today);
- a return before the mission's end less the tolerance, or before the agreement's shortest
  mission duration has run from the departure, is *early*: it needs a reason (and a description
  when the reason is "other"). It ends this placement only; the mission's other places stay.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.dates import date_error
from core.errors import DomainError

from .models import EarlyReturnReason, Mission, Placement

ONE_DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (to the month's last day if shorter); never past the last
    date Python knows, so that no date computed from a stored one fails."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift(day: datetime.date, days: int) -> datetime.date:
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def tolerance_days() -> int:
    return settings.PLACEMENT_DATE_TOLERANCE_DAYS


def shortest_months(mission: Mission) -> int:
    """The agreement's shortest mission, in months (as ``check_mission`` reads it)."""
    quota = mission.quota
    agreement = quota.agreement
    longest = quota.duration_months or agreement.max_duration_months
    return min(agreement.min_duration_months, longest)


def departure_window(mission: Mission) -> tuple[datetime.date, datetime.date]:
    return _shift(mission.start_date, -tolerance_days()), mission.end_date


def latest_return(mission: Mission) -> datetime.date:
    return _shift(mission.end_date, tolerance_days())


def early_before(placement: Placement) -> datetime.date | None:
    """A return before this date is early (None: no departure yet)."""
    if placement.departure_date is None:
        return None
    mission = placement.mission
    by_end = _shift(mission.end_date, -tolerance_days())
    by_duration = add_months(placement.departure_date, shortest_months(mission)) - ONE_DAY
    return max(by_end, by_duration)


def _not_yet(day: datetime.date, field: str) -> None:
    """A departure or a return is recorded once it happened: the balance of the exchange, the
    alerts and the follow-ups count it from then on."""
    today = timezone.localdate()
    if day > today:
        raise DomainError(
            _("%(date)s has not come yet: record it on the day or after (today is %(today)s).")
            % {"date": _short(day), "today": _short(today)},
            field=field,
        )


def check_departure(mission: Mission, departure: datetime.date) -> None:
    message = date_error(departure)
    if message:
        raise DomainError(message, field="departure_date")
    _not_yet(departure, "departure_date")
    first, last = departure_window(mission)
    if departure < first:
        raise DomainError(
            _(
                "The departure cannot be before %(first)s: the mission starts on %(start)s "
                "(%(days)d days' tolerance)."
            )
            % {
                "first": _short(first),
                "start": _short(mission.start_date),
                "days": tolerance_days(),
            },
            field="departure_date",
        )
    if departure > last:
        raise DomainError(
            _("The departure cannot be after the end of the mission, %(end)s.")
            % {"end": _short(last)},
            field="departure_date",
        )


def check_return(
    placement: Placement, returned: datetime.date, reason: str = "", note: str = ""
) -> bool:
    """Refuse a return that makes no sense; True if it is early (with its reason given)."""
    message = date_error(returned)
    if message:
        raise DomainError(message, field="return_date")
    _not_yet(returned, "return_date")
    departure = placement.departure_date
    if departure is not None and returned <= departure:
        raise DomainError(
            _("The return must come after the departure, %(departure)s.")
            % {"departure": _short(departure)},
            field="return_date",
        )
    mission = placement.mission
    last = latest_return(mission)
    if returned > last:
        raise DomainError(
            _(
                "The return cannot be after %(last)s: the mission ends on %(end)s "
                "(%(days)d days' tolerance)."
            )
            % {"last": _short(last), "end": _short(mission.end_date), "days": tolerance_days()},
            field="return_date",
        )
    threshold = early_before(placement)
    early = threshold is not None and returned < threshold
    if early and reason not in EarlyReturnReason.values:
        raise DomainError(
            _(
                "A return before %(date)s is early (before the end of the mission or the "
                "shortest duration of %(months)d months): give its reason."
            )
            % {"date": _short(threshold), "months": shortest_months(mission)},
            field="early_return_reason",
        )
    if early and reason == EarlyReturnReason.OTHER and not note.strip():
        raise DomainError(_("Describe the reason for the early return."), field="early_return_note")
    return early
