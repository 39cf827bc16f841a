"""The "eligible on" SQL filter agrees with the pure function, the source of truth."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AgencyFactory, ExperienceFactory, VolunteerFactory
from volunteers.eligibility import Rules, evaluate, latest_birth_date
from volunteers.models import Experience, Volunteer
from volunteers.selectors import eligible_q, mark_eligibility, with_eligibility
from volunteers.services import experience_spans_refresh

d = datetime.date
days = datetime.timedelta


@pytest.fixture
def agency(db):
    return AgencyFactory()


def _create(agency, birth_date, periods, anonymised=False):
    """``anonymised``: the year of birth only is known, the stored day (1 July) a stand-in."""
    if anonymised:
        birth_date = d(birth_date.year, 7, 1)
    volunteer = VolunteerFactory(
        sending_agency=agency,
        birth_date=birth_date,
        anonymised_at=timezone.now() if anonymised else None,
    )
    Experience.objects.bulk_create(
        [Experience(volunteer=volunteer, organisation="Scouts", start=s, end=e) for s, e in periods]
    )
    experience_spans_refresh(volunteer_ids=[volunteer.pk])
    return volunteer


def _agrees(volunteers, on, rules):
    ids = [v.pk for v in volunteers]
    by_sql = set(
        Volunteer.objects.filter(pk__in=ids)
        .filter(eligible_q(on, rules))
        .values_list("pk", flat=True)
    )
    verdicts = {
        v.pk: evaluate(
            v.birth_date,
            [e.period for e in v.experiences.all()],
            on,
            rules,
            year_only=v.is_anonymised,
        ).eligible
        for v in volunteers
    }
    by_python = {pk for pk, eligible in verdicts.items() if eligible}
    assert by_sql == by_python
    annotated = dict(
        with_eligibility(Volunteer.objects.filter(pk__in=ids), on, rules).values_list(
            "pk", "eligible"
        )
    )
    assert {pk for pk, eligible in annotated.items() if eligible} == by_python
    if rules == Rules():  # the list's badge, read from the row's own columns (VIR rules)
        rows = mark_eligibility(list(Volunteer.objects.filter(pk__in=ids)), on)
        assert {v.pk: v.eligible for v in rows} == verdicts  # None: the year cannot tell


# Birth dates and experience cluster around the boundaries of the drawn rules: the day of the
# minimum and of the limit birthday, and the exact number of days required, give or take one.
rules_strategy = st.one_of(
    st.just(Rules()),
    st.builds(
        Rules,
        min_age=st.integers(16, 20),
        max_age=st.integers(24, 35),
        min_experience_days=st.integers(0, 1100),
    ),
)


@st.composite
def person(draw, on, rules):
    years = draw(st.sampled_from([rules.min_age, rules.max_age + 1, rules.max_age]))
    birth = latest_birth_date(on, years) + days(draw(st.integers(-1, 1)))
    needed = max(rules.min_experience_days + draw(st.integers(-1, 1)), 1)
    periods = []
    kind = draw(st.sampled_from(["ongoing", "closed", "random"]))
    if kind == "ongoing":  # counts exactly ``needed`` days
        periods.append((on - days(needed), None))
    elif kind == "closed":  # ``needed`` days ending some days before ``on``
        gap = draw(st.integers(0, 30))
        periods.append((on - days(needed + gap), on - days(gap + 1)))
    for _ in range(draw(st.integers(0 if kind != "random" else 1, 3))):
        start = on + days(draw(st.integers(-1500, 60)))
        length = draw(st.one_of(st.none(), st.integers(0, 1000)))
        periods.append((start, None if length is None else start + days(length)))
    return birth, periods, draw(st.booleans())


@st.composite
def scenario(draw):
    on = draw(st.dates(min_value=d(2020, 1, 1), max_value=d(2030, 12, 31)))
    rules = draw(rules_strategy)
    people = draw(st.lists(person(on, rules), min_size=1, max_size=6))
    return on, people, rules


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario())
def test_the_sql_filter_agrees_with_the_function(agency, example):
    on, people, rules = example
    volunteers = [_create(agency, *person) for person in people]
    _agrees(volunteers, on, rules)


@pytest.mark.parametrize(
    "birth, periods, on",
    [
        # 18th birthday on the date; the day before it
        (d(2007, 10, 1), [(d(2020, 1, 1), d(2022, 12, 31))], d(2025, 10, 1)),
        (d(2007, 10, 2), [(d(2020, 1, 1), d(2022, 12, 31))], d(2025, 10, 1)),
        # 26th birthday on the date; the day before it
        (d(1999, 10, 1), [(d(2020, 1, 1), d(2022, 12, 31))], d(2025, 10, 1)),
        (d(1999, 10, 2), [(d(2020, 1, 1), d(2022, 12, 31))], d(2025, 10, 1)),
        # born on 29 February, the date on 28 February and 1 March of a non-leap year
        (d(2008, 2, 29), [(d(2020, 1, 1), d(2022, 12, 31))], d(2026, 2, 28)),
        (d(2008, 2, 29), [(d(2020, 1, 1), d(2022, 12, 31))], d(2026, 3, 1)),
        # exactly 730 days, and 729
        (d(2002, 1, 1), [(d(2023, 1, 1), d(2024, 12, 30))], d(2025, 1, 1)),
        (d(2002, 1, 1), [(d(2023, 1, 1), d(2024, 12, 29))], d(2025, 1, 1)),
        # overlapping periods (426 days in the union, 822 in the naive sum)
        (d(2002, 1, 1), [(d(2023, 1, 1), d(2024, 1, 31)), (d(2023, 2, 1), d(2024, 3, 1))],
         d(2025, 10, 1)),
        # ongoing: 730 days the day after, 729 the day before
        (d(2002, 1, 1), [(d(2024, 1, 1), None)], d(2025, 12, 31)),
        (d(2002, 1, 1), [(d(2024, 1, 1), None)], d(2025, 12, 30)),
        # a future period counts nothing
        (d(2002, 1, 1), [(d(2026, 1, 1), d(2029, 1, 1))], d(2025, 10, 1)),
    ],
)  # fmt: skip
def test_the_sql_filter_agrees_at_each_boundary(agency, birth, periods, on):
    volunteer = _create(agency, birth, periods)
    _agrees([volunteer], on, Rules())


@pytest.mark.parametrize(
    "year, on",
    [
        # 18 in the year, whatever the day (31 December), or depending on it; not yet at all
        (2007, d(2025, 12, 31)), (2007, d(2025, 10, 1)), (2008, d(2025, 10, 1)),
        (2007, d(2025, 1, 1)),
        # 25 or 26 depending on the day; 26 whatever it is; 25 whatever it is
        (2000, d(2025, 10, 1)), (1999, d(2025, 12, 31)), (2000, d(2025, 12, 31)),
        (2000, d(2026, 1, 1)),
    ],
)  # fmt: skip
def test_a_year_of_birth_alone_decides_only_when_every_day_of_it_agrees(agency, year, on):
    volunteer = _create(agency, d(year, 1, 1), [(d(2020, 1, 1), d(2022, 12, 31))], anonymised=True)
    _agrees([volunteer], on, Rules())


def test_spans_follow_the_periods_when_they_change(agency):
    on = d(2025, 10, 1)
    experience = ExperienceFactory(
        volunteer__sending_agency=agency,
        volunteer__birth_date=d(2002, 1, 1),
        start=d(2023, 1, 1),
        end=d(2023, 6, 30),
    )
    volunteer = experience.volunteer
    assert not Volunteer.objects.filter(eligible_q(on), pk=volunteer.pk).exists()
    ExperienceFactory(volunteer=volunteer, start=d(2023, 6, 1), end=d(2025, 6, 30))
    assert Volunteer.objects.filter(eligible_q(on), pk=volunteer.pk).exists()
    assert volunteer.spans.count() == 1  # the two periods overlap: one span
