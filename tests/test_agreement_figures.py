"""Reciprocity figures per agreement, cohort and direction, computed in SQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges.models import Quota
from exchanges.selectors import quota_figures, reciprocity_balance
from tests.factories import AgencyFactory, make_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    a, b = AgencyFactory(acronym="ANVT-F"), AgencyFactory(acronym="CNPV-F")
    return make_agreement(
        party_a=a,
        party_b=b,
        quotas=[(2017, "ab", 4), (2017, "ba", 2), (2018, "ab", 1), (2018, "ba", 3)],
    )


def test_each_quota_carries_its_places_and_until_placements_exist_nothing_used(agreement):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(quota_figures(quotas=agreement.quotas.all()))
    assert len(ctx.captured_queries) == 1
    assert [(q.cohort, q.sending.acronym, q.receiving.acronym, q.places) for q in rows] == [
        (2017, "ANVT-F", "CNPV-F", 4),
        (2017, "CNPV-F", "ANVT-F", 2),
        (2018, "ANVT-F", "CNPV-F", 1),
        (2018, "CNPV-F", "ANVT-F", 3),
    ]
    for q in rows:
        assert (q.proposed, q.confirmed, q.deployed, q.completed, q.used) == (0, 0, 0, 0, 0)
        assert q.remaining == q.places


def test_remaining_places_follow_the_last_approved_version(agreement):
    quota = agreement.quotas.get(cohort=2017, sending=agreement.party_a)
    Quota.objects.filter(pk=quota.pk).update(places=6, approved_places=4)
    row = quota_figures(quotas=Quota.objects.filter(pk=quota.pk)).get()
    assert (row.places, row.binding_places, row.remaining) == (6, 4, 4)


def test_the_balance_per_cohort_is_sent_minus_hosted_seen_from_the_first_party(agreement):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(reciprocity_balance(quotas=agreement.quotas.all()))
    assert len(ctx.captured_queries) == 1
    assert [
        (r["cohort"], r["places_a_to_b"], r["places_b_to_a"], r["places_balance"]) for r in rows
    ] == [(2017, 4, 2, 2), (2018, 1, 3, -2)]
    assert {(r["used_a_to_b"], r["used_b_to_a"], r["used_balance"]) for r in rows} == {(0, 0, 0)}


def test_the_balance_per_agreement_adds_up_the_cohorts(agreement):
    other = make_agreement(quotas=[(2020, "ba", 5)])
    rows = list(
        reciprocity_balance(
            quotas=Quota.objects.filter(agreement__in=[agreement, other]), by_cohort=False
        )
    )
    assert [(r["agreement"], r["places_a_to_b"], r["places_b_to_a"]) for r in rows] == [
        (agreement.pk, 5, 5),
        (other.pk, 0, 5),
    ]
