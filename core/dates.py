"""The plausible range of a date typed by a user, one rule for every form and service.

A date outside it is a typing error (year 1, year 9999, a birth date in the future) that would
otherwise be stored, or crash a computation (``date(10000, 1, 1)``) further on. Forms show the
error on the field (the validators, also run by the models' ``full_clean``: imports included);
services refuse with ``DomainError`` (``check_dates``), whoever calls them.

- any date of the platform's records (agreements, missions, departures, evaluations, experience,
  reports): from 1 January 1990 to 30 years from today;
- a birth date: within the last 100 years, not in the future.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .errors import DomainError

EARLIEST = datetime.date(1990, 1, 1)
YEARS_AHEAD = 30
OLDEST_AGE = 100


def years_from(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by ``years`` (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest(today: datetime.date | None = None) -> datetime.date:
    return years_from(today or timezone.localdate(), YEARS_AHEAD)


def earliest_birth_date(today: datetime.date | None = None) -> datetime.date:
    return years_from(today or timezone.localdate(), -OLDEST_AGE)


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def date_error(value: datetime.date | None) -> str | None:
    """Why ``value`` is not a plausible date, or None (None for no date)."""
    if value is None:
        return None
    first, last = EARLIEST, latest()
    if not first <= value <= last:
        return _("Enter a date between %(first)s and %(last)s.") % {
            "first": _short(first),
            "last": _short(last),
        }
    return None


def birth_date_error(value: datetime.date | None) -> str | None:
    """Why ``value`` is not a plausible birth date, or None."""
    if value is None:
        return None
    today = timezone.localdate()
    if value > today:
        return _("A birth date cannot be in the future.")
    if value < earliest_birth_date(today):
        return _("Enter a birth date within the last %(years)s years.") % {"years": OLDEST_AGE}
    return None


def validate_date(value: datetime.date) -> None:
    """Field validator: a plausible date (see the module)."""
    message = date_error(value)
    if message:
        raise ValidationError(message, code="implausible_date")


def validate_birth_date(value: datetime.date) -> None:
    """Field validator: a plausible birth date."""
    message = birth_date_error(value)
    if message:
        raise ValidationError(message, code="implausible_birth_date")


def validate_year(value: int) -> None:
    """Field validator: a year of the plausible range (a report's cohorts)."""
    first, last = EARLIEST.year, latest().year
    if not first <= value <= last:
        raise ValidationError(
            _("Enter a year between %(first)s and %(last)s.") % {"first": first, "last": last},
            code="implausible_year",
        )


def check_dates(**dates: datetime.date | None) -> None:
    """For services: ``DomainError`` on the first implausible date (its name as the field)."""
    for field, value in dates.items():
        message = date_error(value)
        if message:
            raise DomainError(message, field=field)
