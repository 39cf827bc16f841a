"""The programme's own personas on the demo's Territoires Volontaires: its staff
(``fv-programme``), the funder's read-only viewer (``daect-viewer``), the operator a laureate
chose (France Volontaires' officer) and another operator (the Agence du Service Civique, which
operates other laureates), and an agency with nothing to do with it (CNPV)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from programmes.models import Application, Programme
from programmes.selectors import applications_visible_to, programmes_visible_to

pytestmark = pytest.mark.django_db


def client_of(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def tv(demo):
    programme = Programme.objects.get(name="Territoires Volontaires")
    fv_laureate = Application.objects.filter(operator__acronym="FV").order_by("pk").first()
    asc_laureate = Application.objects.filter(operator__acronym="ASC").order_by("pk").first()
    return programme, fv_laureate, asc_laureate


# persona: (programme page, dashboard, FV laureate, ASC laureate, report request)
EXPECTED = {
    "fv-programme": (200, 200, 200, 200, 302),
    "daect-viewer": (200, 200, 200, 200, 403),
    "fv-officer": (200, 403, 200, 404, 403),
    "asc-officer": (200, 403, 404, 200, 403),
    "cnpv-manager": (404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_programme_persona_gets_what_the_rules_say(tv, username):
    programme, fv_laureate, asc_laureate = tv
    client = client_of(username)
    got = (
        client.get(reverse("programmes:detail", args=[programme.pk])).status_code,
        client.get(reverse("programmes:dashboard", args=[programme.pk])).status_code,
        client.get(reverse("programmes:application", args=[fv_laureate.pk])).status_code,
        client.get(reverse("programmes:application", args=[asc_laureate.pk])).status_code,
        client.post(
            reverse("programmes:report", args=[programme.pk]), {"format": "csv", "language": "fr"}
        ).status_code,
    )
    assert got == EXPECTED[username]


def test_an_operator_lists_only_its_own_laureates_and_the_staff_all(tv):
    programme, _fv, _asc = tv
    users = {u.username: u for u in get_user_model().objects.all()}
    fv_ids = set(Application.objects.filter(operator__acronym="FV").values_list("pk", flat=True))
    asc_ids = set(Application.objects.filter(operator__acronym="ASC").values_list("pk", flat=True))
    seen = set(applications_visible_to(users["fv-officer"]).values_list("pk", flat=True))
    assert seen == fv_ids
    seen = set(applications_visible_to(users["asc-officer"]).values_list("pk", flat=True))
    assert seen == asc_ids
    assert applications_visible_to(users["fv-programme"]).count() == 60
    assert applications_visible_to(users["daect-viewer"]).count() == 60
    assert not applications_visible_to(users["cnpv-manager"]).exists()
    assert list(programmes_visible_to(users["asc-officer"])) == [programme]
    page = client_of("asc-officer").get(reverse("programmes:detail", args=[programme.pk]))
    assert len(page.context["page"].object_list) == len(asc_ids)


def test_the_viewer_reads_but_changes_nothing(tv):
    _programme, fv_laureate, _asc = tv
    client = client_of("daect-viewer")
    response = client.post(
        reverse("programmes:assess", args=[fv_laureate.pk]),
        {"score": "1", "decision": "laureate", "reason": "x"},
    )
    assert response.status_code == 403
    assert Application.objects.get(pk=fv_laureate.pk).score == fv_laureate.score
    page = client.get(reverse("programmes:application", args=[fv_laureate.pk])).content.decode()
    assert reverse("programmes:assess", args=[fv_laureate.pk]) not in page
    staff_page = client_of("fv-programme").get(
        reverse("programmes:application", args=[fv_laureate.pk])
    )
    assert reverse("programmes:assess", args=[fv_laureate.pk]) in staff_page.content.decode()
