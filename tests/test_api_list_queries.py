"""The API's lists: the same number of queries for few and many rows, and at any cursor depth
(issue 21: at most 10 for the volunteer list, 100 a page)."""

import base64
import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Membership
from api import serializers as s
from api.services import api_token_create
from evaluations.models import Evaluation
from exchanges.models import Agreement
from missions.models import Mission, Placement
from missions.services import placement_nominate
from reports.models import Report
from tests.factories import (
    AgencyFactory,
    ThemeFactory,
    VolunteerFactory,
    approved_agreement,
    eligible_volunteer,
    make_mission,
    manager_of,
)

pytestmark = pytest.mark.django_db


def _client(agency) -> Client:
    _, secret = api_token_create(
        agency=agency, user=manager_of(agency), name="Registre", role=Membership.Role.OFFICER,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get("/api/v1/agencies/")  # its first use is recorded once: not counted below
    return client


def _queries(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def _cursor(after_id: int) -> str:
    return base64.b64encode(f"p={after_id}".encode()).decode()


def test_the_volunteer_list_costs_the_same_at_any_cursor_depth():
    agency = AgencyFactory()
    themes = ThemeFactory.create_batch(2)
    volunteers = [VolunteerFactory(sending_agency=agency) for _ in range(250)]
    for volunteer in volunteers[::3]:
        volunteer.themes.set(themes)
    client = _client(agency)
    ids = sorted(v.pk for v in volunteers)
    url = "/api/v1/volunteers/?page_size=100"
    first, body = _queries(client, url)
    assert len(body["results"]) == 100
    counts = {first}
    for depth in (100, 149, 200):  # a middle page, an odd place, the last (partial) page
        count, body = _queries(client, f"{url}&cursor={_cursor(ids[depth - 1])}")
        assert [row["id"] for row in body["results"]] == ids[depth : depth + 100]
        counts.add(count)
    assert len(counts) == 1 and first <= 10, counts


@pytest.mark.parametrize(
    "path", ["/api/v1/agreements/", "/api/v1/quotas/", "/api/v1/missions/", "/api/v1/placements/"]
)
def test_the_other_lists_cost_the_same_for_1_and_6_rows(path):
    agency = AgencyFactory()

    def exchange():
        agreement = approved_agreement(party_a=agency, quotas=[(2018, "ab", 4)])
        mission = make_mission(quota=agreement.quotas.get())
        volunteer = eligible_volunteer(agency, on=mission.start_date)
        placement_nominate(mission=mission, volunteer=volunteer, user=None)

    exchange()
    client = _client(agency)
    small, _ = _queries(client, path)
    for _ in range(5):
        exchange()
    many, body = _queries(client, path)
    assert len(body["results"]) >= 6
    assert many == small <= 10


@pytest.mark.parametrize(
    ("path", "model", "serializer"),
    [
        ("/api/v1/agreements/", Agreement, s.AgreementSerializer),
        ("/api/v1/missions/", Mission, s.MissionSerializer),
        ("/api/v1/placements/", Placement, s.PlacementSerializer),
        ("/api/v1/evaluations/", Evaluation, s.EvaluationSerializer),
        ("/api/v1/reports/", Report, s.ReportSerializer),
    ],
)
def test_the_lists_read_as_rows_show_each_object_as_the_serializer_does(
    demo, login, client, path, model, serializer
):
    """The lists read ``values()`` rows (api/rows.py): each row is what the serializer makes of
    the object, nested versions, dotted sources, dates, JSON and empty relations included."""
    login("anvt-manager")
    listed = client.get(f"{path}?page_size=100").json()["results"]
    assert listed
    objects = model.objects.in_bulk([row["id"] for row in listed])
    assert listed == [dict(serializer(objects[row["id"]]).data) for row in listed]
