"""The VIR eligibility rule, as a pure function: every boundary of issue 4, and its properties."""

import datetime
import random

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from volunteers.eligibility import (
    VIR_RULES,
    Rules,
    age_on,
    evaluate,
    experience_days,
    latest_birth_date,
    merged_spans,
)

d = datetime.date
ON = d(2025, 10, 1)  # a mission's start
TWO_YEARS = [(d(2020, 1, 1), d(2022, 12, 31))]  # plenty of experience


@pytest.fixture(autouse=True)
def _in_french():
    with translation.override("fr"):
        yield


def codes(result):
    return [r.code for r in result.reasons]


# --- Age ------------------------------------------------------------------------------------


def test_the_18th_birthday_on_the_start_date_counts():
    assert evaluate(d(2007, 10, 1), TWO_YEARS, ON).age == 18
    assert evaluate(d(2007, 10, 1), TWO_YEARS, ON).eligible


def test_the_day_before_the_18th_birthday_is_too_young():
    result = evaluate(d(2007, 10, 2), TWO_YEARS, ON)
    assert result.age == 17
    assert codes(result) == ["too_young"]
    assert "l’âge minimum est 18" in result.reasons[0].message


def test_25_means_not_yet_26():
    assert evaluate(d(1999, 10, 2), TWO_YEARS, ON).age == 25  # 26 tomorrow
    assert evaluate(d(1999, 10, 2), TWO_YEARS, ON).eligible


def test_the_26th_birthday_on_the_start_date_is_too_old():
    result = evaluate(d(1999, 10, 1), TWO_YEARS, ON)
    assert result.age == 26
    assert codes(result) == ["too_old"]
    assert "pas encore 26" in result.reasons[0].message


def test_someone_born_on_29_february_turns_older_on_1_march_in_a_non_leap_year():
    born = d(2008, 2, 29)
    assert age_on(born, d(2026, 2, 28)) == 17
    assert not evaluate(born, TWO_YEARS, d(2026, 2, 28)).eligible
    assert age_on(born, d(2026, 3, 1)) == 18
    assert evaluate(born, TWO_YEARS, d(2026, 3, 1)).eligible


def test_someone_born_on_29_february_turns_older_on_29_february_in_a_leap_year():
    assert age_on(d(2008, 2, 29), d(2028, 2, 29)) == 20
    assert age_on(d(2008, 2, 29), d(2028, 2, 28)) == 19


def test_a_start_date_on_29_february_and_someone_born_on_28_february():
    assert age_on(d(2006, 2, 28), d(2024, 2, 29)) == 18
    assert latest_birth_date(d(2024, 2, 29), 18) == d(2006, 2, 28)


@given(st.dates(min_value=d(1901, 1, 1)), st.dates(min_value=d(1950, 1, 1)), st.integers(0, 60))
def test_the_birth_date_bound_agrees_with_the_age(birth, on, years):
    assert (age_on(birth, on) >= years) == (birth <= latest_birth_date(on, years))


# --- Experience -----------------------------------------------------------------------------


def test_exactly_730_days_is_enough_and_729_is_not():
    """Two years are 730 days (not 24 × 30 = 720: ten days short of two years passed)."""
    born = d(2002, 1, 1)
    start = d(2023, 1, 1)
    periods = [(start, start + datetime.timedelta(days=729))]  # both ends count: 730 days
    result = evaluate(born, periods, d(2025, 1, 1))
    assert result.experience_days == 730
    assert result.eligible
    assert result.experience_months == 24
    short = [(start, start + datetime.timedelta(days=728))]
    result = evaluate(born, short, d(2025, 1, 1))
    assert result.experience_days == 729
    assert codes(result) == ["not_enough_experience"]
    assert "729 jours" in result.reasons[0].message and "730 jours sont requis" in (
        result.reasons[0].message
    )
    ten_short = [(start, start + datetime.timedelta(days=719))]  # 720 days: passed before
    assert not evaluate(born, ten_short, d(2025, 1, 1)).eligible


@pytest.mark.parametrize(
    ("days", "language", "text"),
    [
        # 23.97 months: "about 24", not the truncated "about 23" (walk 6, finding 14).
        (729, "fr", "729 jours (environ 24 mois)"),
        (729, "es", "729 días (unos 24 meses)"),
        (729, "en", "729 days (about 24 months)"),
        (730, "fr", "730 jours (environ 24 mois)"),
        (46, "fr", "46 jours (environ 2 mois)"),  # 1.51 months
        (45, "fr", "45 jours (environ 1 mois)"),  # 1.48 months
        (1, "fr", "1 jour"),  # no "about 0 months"
        (0, "fr", "0 jour"),  # French: 0 takes the singular
        (0, "es", "0 días"),
        (0, "en", "0 days"),
        (1, "en", "1 day"),
    ],
)
def test_the_experience_reads_with_its_plurals_and_months_rounded(days, language, text):
    start = d(2020, 1, 1)
    periods = [(start, start + datetime.timedelta(days=days - 1))] if days else []
    result = evaluate(d(2000, 1, 1), periods, d(2024, 1, 1))
    assert result.experience_days == days
    with translation.override(language):
        assert result.experience_text == text


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("fr", "Âge : 25 ans.", "Âge : 25 ou 26 ans."),
        ("es", "Edad: 25 años.", "Edad: 25 o 26 años."),
    ],
)
@pytest.mark.django_db
def test_the_volunteer_page_writes_the_age_and_the_experience_in_words(client, language, one, two):
    from tests.factories import VolunteerFactory, manager_of
    from volunteers.services import volunteer_anonymise

    volunteer = VolunteerFactory(birth_date=d(2004, 2, 29))
    client.force_login(manager_of(volunteer.sending_agency))
    url = f"/volunteers/{volunteer.pk}/?on=2030-02-01"
    with translation.override(language):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    words = {"fr": "0 jour, chevauchements", "es": "0 días, los solapamientos"}[language]
    assert one in page and words in page and "mois" not in page.split(words)[0][-40:]
    volunteer_anonymise(volunteer=volunteer, user=None)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert two in page


def test_overlapping_periods_count_once_at_the_boundary():
    """Two periods overlapping by a year: the union is 729 days, then 730 with one more."""
    a = (d(2022, 1, 1), d(2023, 12, 31))  # 730 days
    b = (d(2023, 1, 1), d(2023, 12, 30))  # inside a
    on = d(2025, 1, 1)
    assert experience_days([(a[0], d(2023, 12, 30)), b], on) == 729
    assert not evaluate(d(2002, 1, 1), [(a[0], d(2023, 12, 30)), b], on).eligible
    assert experience_days([a, b], on) == 730
    assert evaluate(d(2002, 1, 1), [a, b], on).eligible


def test_a_single_day_period_counts_one_day():
    assert experience_days([(d(2024, 5, 1), d(2024, 5, 1))], ON) == 1


def test_overlapping_periods_count_once():
    periods = [(d(2022, 1, 1), d(2023, 12, 31)), (d(2023, 1, 1), d(2024, 6, 30))]
    assert experience_days(periods, ON) == (d(2024, 6, 30) - d(2022, 1, 1)).days + 1


def test_overlaps_can_make_a_naive_sum_of_two_years_insufficient():
    periods = [(d(2023, 1, 1), d(2024, 1, 31)), (d(2023, 2, 1), d(2024, 3, 1))]
    naive = sum((e - s).days + 1 for s, e in periods)
    assert naive >= 720
    assert experience_days(periods, ON) == 426
    assert not evaluate(d(2002, 1, 1), periods, ON).eligible


def test_a_period_nested_in_another_does_not_shorten_the_union():
    outer = (d(2020, 1, 1), d(2021, 12, 31))
    inner = (d(2020, 6, 1), d(2020, 7, 1))
    for periods in ([outer, inner], [inner, outer]):
        assert experience_days(periods, ON) == 731
        assert merged_spans(periods) == merged_spans([outer])
        assert [(s.start, s.end) for s in merged_spans(periods)] == [outer]
    # Two periods nested in the first, the second ending before the first one does.
    periods = [outer, inner, (d(2021, 1, 1), d(2021, 2, 1))]
    assert experience_days(periods, ON) == 731
    assert evaluate(d(2002, 1, 1), periods, ON).eligible


def test_adjacent_periods_join_without_losing_or_doubling_a_day():
    periods = [(d(2024, 1, 1), d(2024, 1, 10)), (d(2024, 1, 11), d(2024, 1, 20))]
    assert experience_days(periods, ON) == 20


def test_an_ongoing_period_runs_until_the_day_before_the_start_date():
    periods = [(d(2025, 9, 1), None)]
    assert experience_days(periods, ON) == 30  # 1–30 September


def test_an_ongoing_period_starting_on_or_after_the_start_date_counts_nothing():
    assert experience_days([(ON, None)], ON) == 0
    assert experience_days([(d(2026, 1, 1), None)], ON) == 0


def test_a_future_period_counts_nothing_and_a_period_across_the_date_is_clipped():
    assert experience_days([(d(2026, 1, 1), d(2027, 1, 1))], ON) == 0
    assert experience_days([(d(2025, 9, 22), d(2025, 10, 20))], ON) == 9  # 22–30 September
    assert experience_days([(ON, ON)], ON) == 0


def test_an_ongoing_period_may_make_someone_eligible_on_a_later_date():
    periods = [(d(2024, 1, 1), None)]
    assert not evaluate(d(2002, 1, 1), periods, d(2025, 12, 30)).eligible  # 729 days
    assert evaluate(d(2002, 1, 1), periods, d(2025, 12, 31)).eligible  # 730 days (2024 leap)


def test_every_failing_rule_gives_its_own_reason():
    result = evaluate(d(1990, 1, 1), [], ON)
    assert codes(result) == ["too_old", "not_enough_experience"]
    assert result.experience_days == 0


def test_the_rules_of_an_agreement_replace_the_vir_defaults():
    rules = Rules(min_age=21, max_age=30, min_experience_days=365)
    periods = [(d(2024, 1, 1), d(2024, 12, 30))]  # 365 days (2024 is a leap year)
    assert evaluate(d(1996, 1, 1), periods, ON, rules).eligible  # 29 years old
    assert not evaluate(d(1996, 1, 1), periods, ON, VIR_RULES).eligible
    shorter = [(d(2024, 1, 1), d(2024, 12, 29))]  # 364 days
    assert not evaluate(d(1996, 1, 1), shorter, ON, rules).eligible


# --- Properties of the union ----------------------------------------------------------------

dates = st.dates(min_value=d(2015, 1, 1), max_value=d(2030, 12, 31))


@st.composite
def period(draw):
    start = draw(dates)
    end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=d(2031, 12, 31))))
    return (start, end)


periods = st.lists(period(), max_size=8)


def naive_sum(items, on):
    last = on - datetime.timedelta(days=1)
    total = 0
    for start, end in items:
        end = last if end is None else min(end, last)
        total += max((end - start).days + 1, 0)
    return total


@given(periods, dates)
def test_the_union_never_exceeds_the_naive_sum(items, on):
    assert experience_days(items, on) <= naive_sum(items, on)


@given(periods, dates, st.randoms(use_true_random=False))
def test_the_union_does_not_depend_on_the_order_of_the_periods(items, on, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert experience_days(shuffled, on) == experience_days(items, on)


@st.composite
def disjoint_periods(draw):
    """Periods separated by at least one uncovered day, in random order."""
    cursor = draw(st.dates(min_value=d(2010, 1, 1), max_value=d(2015, 1, 1)))
    items = []
    for _ in range(draw(st.integers(0, 6))):
        start = cursor + datetime.timedelta(days=draw(st.integers(1, 200)))
        end = start + datetime.timedelta(days=draw(st.integers(0, 400)))
        items.append((start, end))
        cursor = end + datetime.timedelta(days=1)
    random.Random(draw(st.integers())).shuffle(items)
    return items


@given(disjoint_periods(), dates)
def test_the_union_equals_the_naive_sum_for_disjoint_periods(items, on):
    assert experience_days(items, on) == naive_sum(items, on)


@given(periods, dates, st.integers(1, 3000))
def test_the_stored_spans_answer_like_the_function(items, on, needed):
    """The arithmetic behind the SQL filter (``ExperienceSpan``), checked without a database."""
    spans = merged_spans(items)
    reaches = any(
        s.origin <= on - datetime.timedelta(days=needed)
        and (s.days_through is None or s.days_through >= needed)
        for s in spans
    )
    assert reaches == (experience_days(items, on) >= needed)
