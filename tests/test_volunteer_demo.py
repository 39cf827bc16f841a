"""The demo volunteers: about 60 per agency, a realistic mix, loaded once."""

from collections import Counter
from itertools import pairwise

from django.core.management import call_command
from django.utils import timezone

from volunteers.eligibility import evaluate
from volunteers.models import Volunteer


def test_each_agency_has_60_volunteers_with_a_mix_of_cases(demo):
    # The volunteers of the past cohorts (missions' demo, placements completed) come on top.
    generated = Volunteer.objects.exclude(placements__status="completed")
    per_agency = Counter(generated.values_list("sending_agency__acronym", flat=True))
    assert set(per_agency.values()) == {60}
    today = timezone.localdate()
    reasons = Counter()
    overlapping = 0
    for volunteer in generated.prefetch_related("experiences"):
        periods = sorted(e.period for e in volunteer.experiences.all())
        result = evaluate(volunteer.birth_date, periods, today)
        reasons.update(r.code for r in result.reasons)
        reasons["eligible"] += result.eligible
        overlapping += any(
            later[0] <= (earlier[1] or later[0]) for earlier, later in pairwise(periods)
        )
    assert reasons["eligible"] >= 60
    assert reasons["too_old"] >= 6 and reasons["too_young"] >= 6
    assert reasons["not_enough_experience"] >= 30
    assert overlapping >= 12


def test_names_carry_accents_apostrophes_and_hyphens(demo):
    names = " ".join(
        f"{f} {n}" for f, n in Volunteer.objects.values_list("first_name", "last_name")
    )
    for char in "éèïëñ’-":
        assert char in names, char


def test_loading_the_demo_again_adds_no_volunteer(demo):
    count = Volunteer.objects.count()
    call_command("load_demo")
    assert Volunteer.objects.count() == count
