"""List pages whose query count no other test bounds: the same number of queries for few and
many rows (the other lists are bounded beside their own tests)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import DownloadRecord
from missions.services import placement_nominate
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    eligible_volunteer,
    make_mission,
)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_it_reads_the_agency_directory_in_the_same_queries_for_3_and_30_agencies(client, db):
    client.force_login(MembershipFactory(role="officer").user)
    AgencyFactory.create_batch(2)
    small = _queries(client, reverse("agencies:list"))
    AgencyFactory.create_batch(27)
    assert _queries(client, reverse("agencies:list")) == small <= 10


def test_it_reads_the_inbox_in_the_same_queries_for_1_and_12_nominations(client, db):
    mission = make_mission(places=20)
    manager = MembershipFactory(agency=mission.quota.receiving, role="manager").user
    client.force_login(manager)

    def nominate(n):
        for _ in range(n):
            volunteer = eligible_volunteer(mission.quota.sending)
            placement_nominate(mission=mission, volunteer=volunteer, user=None)

    nominate(1)
    small = _queries(client, reverse("missions:inbox"))
    nominate(11)
    response = client.get(reverse("missions:inbox"))
    assert len(response.context["page"].object_list) == 12
    assert _queries(client, reverse("missions:inbox")) == small <= 10


def test_it_reads_the_download_log_in_the_same_queries_for_2_and_40_downloads(client, db):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)

    def download(n):
        for _ in range(n):
            user = UserFactory()
            DownloadRecord.objects.create(
                kind=DownloadRecord.Kind.REPORT, object_id=1, label="report.pdf",
                agency=membership.agency, user=user, username=user.username, at=timezone.now(),
            )  # fmt: skip

    download(2)
    small = _queries(client, reverse("agencies:download_log"))
    download(38)
    response = client.get(reverse("agencies:download_log"))
    assert len(response.context["page"].object_list) == 40
    assert _queries(client, reverse("agencies:download_log")) == small <= 6
