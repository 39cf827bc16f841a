"""VIR eligibility: a pure function of a birth date, experience periods, a date and the rules.

No database access here: this module is the source of truth, and the SQL filter of the volunteer
list (``volunteers.selectors.eligible_q``) is tested against it.

Semantics (issue 4):
- age is whole years on ``on``; a birthday on ``on`` counts; someone born on 29 February turns a
  year older on 1 March in non-leap years; eligible when ``min_age <= age <= max_age``;
- experience is the number of days covered by the union of the periods (overlaps count once,
  both end days count), only days before ``on``; an ongoing period (end ``None``) runs until the
  day before ``on``;
- the minimum is in days: "two years of experience" is 730 days (2 × 365), whatever leap days
  the periods cross. It was 720 (24 months of 30 days) before issue 17, which let a candidate
  ten days short of two years pass. An agreement may set another minimum, in days.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DAYS_PER_YEAR = 365
ONE_DAY = datetime.timedelta(days=1)

Period = tuple[datetime.date, datetime.date | None]


@dataclass(frozen=True)
class Rules:
    """The eligibility rules; the defaults are the VIR rule (18 to 25 years, two years of
    volunteering: 730 days)."""

    min_age: int = 18
    max_age: int = 25
    min_experience_days: int = 2 * DAYS_PER_YEAR


VIR_RULES = Rules()


@dataclass(frozen=True)
class Reason:
    """Why a rule fails: a stable ``code`` for programs, a translated ``message`` for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Eligibility:
    """The verdict. ``eligible`` is None when it cannot be told: only the year of birth is
    known (an anonymised volunteer) and the age rule depends on the erased day. ``age`` is then
    the youngest age that year allows, and ``oldest_age`` the other (one more, but on 31
    December)."""

    eligible: bool | None
    age: int
    experience_days: int
    reasons: tuple[Reason, ...]
    on: datetime.date
    rules: Rules
    oldest_age: int | None = None  # set when only the year of birth is known

    @property
    def experience_months(self) -> int:
        """About how many months the experience makes (``about_months``), for display only."""
        return about_months(self.experience_days)

    @property
    def age_text(self) -> str:
        """The age for people: "25 years", or "25 or 26 years" when only the year of birth is
        known."""
        if self.oldest_age is None or self.oldest_age == self.age:
            return ngettext("%(age)d year", "%(age)d years", self.age) % {"age": self.age}
        return _("%(youngest)d or %(oldest)d years") % {
            "youngest": self.age,
            "oldest": self.oldest_age,
        }

    @property
    def experience_text(self) -> str:
        """ "729 days (about 24 months)", "1 day", "0 days": each count with its own plural, and
        no "about 0 months"."""
        days, months = self.experience_days, self.experience_months
        text = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        if months:
            text += " " + (
                ngettext("(about %(months)s month)", "(about %(months)s months)", months)
                % {"months": months}
            )
        return text


def about_months(days: int) -> int:
    """About how many months ``days`` make, a month being a twelfth of 365 days, rounded half
    up: 729 days are 23.97 months, "about 24" (truncated, "about 23" read like a month short of
    the 730 days of two years). For reading only: the rules count days."""
    return (days * 24 + DAYS_PER_YEAR) // (2 * DAYS_PER_YEAR)


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Whole years on ``on``. Comparing (month, day) pairs makes 29 February fall after 28."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def latest_birth_date(on: datetime.date, years: int) -> datetime.date:
    """The latest birth date of someone aged at least ``years`` on ``on``.

    ``age_on(b, on) >= years`` exactly when ``b <= latest_birth_date(on, years)``: this turns the
    age rule into a date range that an index on the birth date answers.
    """
    year = on.year - years
    if year < datetime.MINYEAR:
        return datetime.date.min
    if year > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return on.replace(year=year)
    except ValueError:  # ``on`` is 29 February and ``year`` is not a leap year
        return datetime.date(year, 2, 28)


def experience_days(periods: Iterable[Period], on: datetime.date) -> int:
    """Days covered by the union of ``periods``, counting only days before ``on``."""
    last_day = on - ONE_DAY
    clipped = []
    for start, end in periods:
        end = last_day if end is None else min(end, last_day)
        if start <= end:
            clipped.append((start, end))
    clipped.sort()
    total = 0
    current_start = current_end = None
    for start, end in clipped:
        if current_end is not None and start <= current_end + ONE_DAY:
            current_end = max(current_end, end)
            continue
        if current_end is not None:
            total += (current_end - current_start).days + 1
        current_start, current_end = start, end
    if current_end is not None:
        total += (current_end - current_start).days + 1
    return total


def _experience_reason(days: int, when: str, rules: Rules) -> Reason:
    return Reason(
        "not_enough_experience",
        ngettext(
            "%(days)d day of volunteering before %(date)s: %(required)d days are required.",
            "%(days)d days of volunteering before %(date)s: %(required)d days are required.",
            days,
        )
        % {"days": days, "date": when, "required": rules.min_experience_days},
    )


def evaluate(
    birth_date: datetime.date,
    periods: Sequence[Period],
    on: datetime.date,
    rules: Rules = VIR_RULES,
    *,
    year_only: bool = False,
) -> Eligibility:
    """The verdict on ``on``. ``year_only``: only ``birth_date``'s year is known (an anonymised
    volunteer's day and month were erased, the stored ones are a stand-in), so the age is one
    of the two that year allows and the age rule is decided only when both give the same
    answer (``_evaluate_birth_year``)."""
    if year_only:
        return _evaluate_birth_year(birth_date.year, periods, on, rules)
    age = age_on(birth_date, on)
    days = experience_days(periods, on)
    when = date_format(on, "SHORT_DATE_FORMAT")
    reasons = []
    if age < rules.min_age:
        reasons.append(
            Reason(
                "too_young",
                _("Aged %(age)d on %(date)s: the minimum age is %(min)d.")
                % {"age": age, "date": when, "min": rules.min_age},
            )
        )
    elif age > rules.max_age:
        reasons.append(
            Reason(
                "too_old",
                _("Aged %(age)d on %(date)s: the maximum age is %(max)d (not yet %(limit)d).")
                % {"age": age, "date": when, "max": rules.max_age, "limit": rules.max_age + 1},
            )
        )
    if days < rules.min_experience_days:
        reasons.append(_experience_reason(days, when, rules))
    return Eligibility(
        eligible=not reasons,
        age=age,
        experience_days=days,
        reasons=tuple(reasons),
        on=on,
        rules=rules,
    )


def _evaluate_birth_year(
    year: int, periods: Sequence[Period], on: datetime.date, rules: Rules
) -> Eligibility:
    """Someone born in ``year``, day unknown: aged ``youngest`` (born on 31 December) or
    ``oldest`` (born on 1 January) on ``on``. A rule both ages fail is failed, one both pass is
    passed; otherwise the verdict is None, with the reason saying why."""
    youngest = age_on(datetime.date(year, 12, 31), on)
    oldest = age_on(datetime.date(year, 1, 1), on)
    if youngest == oldest:  # on 31 December: everyone born that year has the same age
        exact = evaluate(datetime.date(year, 1, 1), periods, on, rules)
        return dataclasses.replace(exact, oldest_age=oldest)
    days = experience_days(periods, on)
    when = date_format(on, "SHORT_DATE_FORMAT")
    values = {
        "year": year,
        "youngest": youngest,
        "oldest": oldest,
        "date": when,
        "min": rules.min_age,
        "max": rules.max_age,
        "limit": rules.max_age + 1,
    }
    reasons, undecided = [], False
    if oldest < rules.min_age:
        reasons.append(
            Reason(
                "too_young",
                _(
                    "Born in %(year)d: aged %(youngest)d or %(oldest)d on %(date)s; the "
                    "minimum age is %(min)d."
                )
                % values,
            )
        )
    elif youngest > rules.max_age:
        reasons.append(
            Reason(
                "too_old",
                _(
                    "Born in %(year)d: aged %(youngest)d or %(oldest)d on %(date)s; the "
                    "maximum age is %(max)d (not yet %(limit)d)."
                )
                % values,
            )
        )
    elif youngest < rules.min_age or oldest > rules.max_age:
        undecided = True
        reasons.append(
            Reason(
                "age_undetermined",
                _(
                    "Born in %(year)d: aged %(youngest)d or %(oldest)d on %(date)s depending "
                    "on the day of birth, which was erased with the identity; whether the age "
                    "is within %(min)d to %(max)d cannot be told."
                )
                % values,
            )
        )
    if days < rules.min_experience_days:
        reasons.append(_experience_reason(days, when, rules))
    failed = any(r.code != "age_undetermined" for r in reasons)
    return Eligibility(
        eligible=False if failed else (None if undecided else True),
        age=youngest,
        experience_days=days,
        reasons=tuple(reasons),
        on=on,
        rules=rules,
        oldest_age=oldest,
    )


@dataclass(frozen=True)
class Span:
    """A maximal run of covered days, as stored for the SQL filter (``ExperienceSpan``).

    ``days_before`` is the number of covered days before ``start``. Experience on a date ``on``
    reaches ``n`` days exactly when some span has ``origin <= on - n`` (with
    ``origin = start - days_before``) and ``days_through >= n`` (``None``: ongoing, unbounded).
    """

    start: datetime.date
    end: datetime.date | None
    days_before: int

    @property
    def origin(self) -> datetime.date:
        return self.start - datetime.timedelta(days=self.days_before)

    @property
    def days_through(self) -> int | None:
        if self.end is None:
            return None
        return self.days_before + (self.end - self.start).days + 1


def merged_spans(periods: Iterable[Period]) -> list[Span]:
    """The union of ``periods`` as disjoint spans, independent of any reference date.

    Why this yields the filter of :class:`Span`: experience on ``on`` is the largest value, over
    the spans, of ``days_before + min(length, on - start)``; that is at least ``n`` exactly when
    both ``days_before + length >= n`` and ``days_before + (on - start) >= n`` hold for one span.
    """
    runs: list[list] = []
    for start, end in sorted(periods, key=lambda p: p[0]):
        if end is not None and end < start:
            continue
        if runs and (runs[-1][1] is None or start <= runs[-1][1] + ONE_DAY):
            if runs[-1][1] is not None:
                runs[-1][1] = None if end is None else max(runs[-1][1], end)
            continue
        runs.append([start, end])
    spans, before = [], 0
    for start, end in runs:
        spans.append(Span(start=start, end=end, days_before=before))
        if end is not None:
            before += (end - start).days + 1
    return spans


def experience_met_on(spans: Iterable[Span], days: int) -> datetime.date | None:
    """The first date on which the experience reaches ``days`` (``None``: never), from the
    spans of ``merged_spans``: by :class:`Span`, it is ``origin + days`` of a span long enough.
    Stored on the volunteer for the VIR rule, so that "eligible on" compares a column."""
    dates = [
        s.origin + datetime.timedelta(days=days)
        for s in spans
        if s.days_through is None or s.days_through >= days
    ]
    return min(dates, default=None)
