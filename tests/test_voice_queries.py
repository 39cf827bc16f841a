"""The pages of the volunteers' voice read the same number of queries whatever their rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from missions.models import FollowUp
from tests.factories import MembershipFactory, make_mission
from voice.models import SupportAction

from .voice_helpers import completed_placement

# E-mails and the certificate's rendering run in-process, even with a broker configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_placement_record_reads_the_same_queries_for_1_and_12_support_actions(client):
    placement = completed_placement()
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="officer").user)
    url = reverse("voice:placement", args=[placement.pk])
    follow_ups = list(FollowUp.objects.filter(placement=placement))

    def add(n):
        for i in range(n):
            SupportAction.objects.create(
                follow_up=follow_ups[i % 3], kind="training", outcome="planned"
            )

    add(1)
    small = _queries(client, url)
    add(11)
    assert _queries(client, url) == small <= 10  # the goal of every page


def test_the_insertion_rates_read_the_same_queries_for_1_and_3_cohorts(client):
    first = make_mission(places=4)
    agreement = first.quota.agreement
    completed_placement(mission=first)
    client.force_login(MembershipFactory(agency=agreement.party_a, role="partner").user)
    url = reverse("voice:agreement_insertion", args=[agreement.pk])
    small = _queries(client, url)
    for year in (2019, 2020):
        quota = agreement.quotas.get(cohort=2018, sending=agreement.party_a)
        quota.pk, quota.cohort = None, year
        quota.save()
        placement = completed_placement(mission=make_mission(quota=quota), email=f"{year}@ex.org")
        FollowUp.objects.filter(placement=placement).update(
            situation="employed", recorded_at=timezone.now()
        )
    response = client.get(url)
    assert [row["cohort"] for row in response.context["rates"]] == [2018, 2019, 2020]
    assert _queries(client, url) == small <= 12
