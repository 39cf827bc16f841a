"""Two years of experience are 730 days; an agreement may set its own minimum, in days (issue 17,
point 5). The boundary itself is in test_eligibility.py and test_eligibility_sql.py."""

import datetime
import importlib

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from exchanges.versions import compare
from missions.selectors import nomination_candidates
from missions.services import placement_nominate
from tests.factories import (
    ExperienceFactory,
    VolunteerFactory,
    approved_agreement,
    make_mission,
    manager_of,
)
from volunteers.models import Volunteer
from volunteers.services import experience_spans_refresh

pytestmark = pytest.mark.django_db

d = datetime.date
START = d(2018, 1, 1)


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def volunteer_with(agency, days):
    """Aged 22 on START, with ``days`` of experience ending the day before it, in two periods
    that overlap by 100 days (counted once)."""
    volunteer = VolunteerFactory(sending_agency=agency, birth_date=d(1995, 6, 1))
    first = START - datetime.timedelta(days=days)
    ExperienceFactory(volunteer=volunteer, start=first, end=first + datetime.timedelta(days=199))
    ExperienceFactory(
        volunteer=volunteer,
        start=first + datetime.timedelta(days=100),
        end=START - datetime.timedelta(days=1),
    )
    experience_spans_refresh(volunteer_ids=[volunteer.pk])
    return volunteer


def mission_under(**rules):
    # A mission starts in its cohort's year.
    agreement = approved_agreement(quotas=[(START.year, "ab", 4), (START.year, "ba", 2)], **rules)
    quota = agreement.quotas.get(cohort=START.year, sending=agreement.party_a)
    return make_mission(quota=quota, start=START)


def test_the_vir_rule_refuses_729_days_and_accepts_730():
    mission = mission_under()
    sender = mission.quota.sending
    with pytest.raises(DomainError) as refused:
        placement_nominate(mission=mission, volunteer=volunteer_with(sender, 729), user=None)
    assert "729 jours de volontariat" in refused.value.message
    assert "730 jours sont requis" in refused.value.message
    placement = placement_nominate(
        mission=mission, volunteer=volunteer_with(sender, 730), user=None
    )
    assert placement.status == "nominated"


def test_an_agreement_sets_its_own_minimum_in_days():
    mission = mission_under(min_experience_days=365)
    sender = mission.quota.sending
    short, enough = volunteer_with(sender, 364), volunteer_with(sender, 365)
    with pytest.raises(DomainError):
        placement_nominate(mission=mission, volunteer=short, user=None)
    placement_nominate(mission=mission, volunteer=enough, user=None)
    # The nominate page's "eligible only" filter, in SQL, says the same.
    candidates, rules = nomination_candidates(mission=mission, eligible_only=True)
    assert rules.min_experience_days == 365
    assert list(candidates) == [enough]


def test_the_agreement_form_and_page_speak_in_days(client):
    agreement = approved_agreement(min_experience_days=400)
    client.force_login(manager_of(agreement.party_a))
    page = client.get(reverse("exchanges:detail", args=[agreement.pk])).content.decode()
    assert "400 jours" in page
    form = client.get(reverse("exchanges:edit", args=[agreement.pk])).content.decode()
    assert "Expérience de volontariat minimale (jours)" in form
    assert 'name="min_experience_days"' in form and 'value="400"' in form


def test_an_agreement_version_of_the_first_format_still_reads_in_months():
    old = {"format": 1, "rules": {"min_age": 18, "max_age": 25, "min_experience_months": 24}}
    new = {"format": 2, "rules": {"min_age": 18, "max_age": 25, "min_experience_days": 730}}
    assert "24 mois" in render_to_string("exchanges/_substance.html", {"substance": old})
    assert "730 jours" in render_to_string("exchanges/_substance.html", {"substance": new})
    labels = [str(change.label) for change in compare(old, new).fields]
    assert labels == [
        "Expérience de volontariat minimale (jours)",
        "Expérience de volontariat minimale (mois)",
    ]


def test_the_migration_converts_months_to_days_rounded():
    migration = importlib.import_module("exchanges.migrations.0010_min_experience_in_days")
    assert [migration.to_days(m) for m in (0, 1, 6, 12, 24, 36)] == [0, 30, 183, 365, 730, 1095]


def test_the_migration_moves_experience_met_on_to_730_days():
    migration = importlib.import_module("volunteers.migrations.0015_experience_met_on_730_days")
    agency = approved_agreement().party_a
    volunteer = volunteer_with(agency, 800)
    met_on = Volunteer.objects.get(pk=volunteer.pk).experience_met_on
    # As 0004 left it, 720 days after the first day; the migration counts 730.
    Volunteer.objects.filter(pk=volunteer.pk).update(
        experience_met_on=met_on - datetime.timedelta(days=10)
    )

    class Editor:
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    migration.fill(730)(None, Editor())
    assert Volunteer.objects.get(pk=volunteer.pk).experience_met_on == met_on
    assert met_on == START - datetime.timedelta(days=800) + datetime.timedelta(days=730)
