import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Agency, HostStructure, Membership
from devtools.demo_api import DEMO_TOKEN


def test_it_creates_the_six_agencies_and_a_user_per_role(demo):
    assert set(Agency.objects.values_list("acronym", flat=True)) == {
        "ANVT", "CNPV", "GIP-PNVB", "FV", "ASC", "VASE",
    }  # fmt: skip
    User = get_user_model()
    some = ["anvt-manager", "cnpv-partner", "gip-pnvb-officer", "fv-manager", "asc-evaluator"]
    for username in [*some, "vase-partner"]:
        assert User.objects.get(username=username).check_password("reciprocity")
    assert User.objects.get(username="admin").is_superuser
    assert Membership.objects.get(user__username="gip-pnvb-officer").role == "officer"


def test_it_is_idempotent(demo):
    counts = (Agency.objects.count(), Membership.objects.count(), HostStructure.objects.count())
    call_command("load_demo")
    assert counts == (
        Agency.objects.count(),
        Membership.objects.count(),
        HostStructure.objects.count(),
    )


def test_it_adds_host_structures_in_each_country(demo):
    countries = set(HostStructure.objects.values_list("country", flat=True))
    assert {"TG", "ML", "BF", "FR", "EC"} <= countries


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_load_reference_data_is_idempotent(db):
    call_command("load_reference_data")
    call_command("load_reference_data")
    assert Agency.objects.count() == 6


def test_it_gives_anvt_an_api_token_that_works(demo, client):
    answer = client.get("/api/v1/volunteers/", HTTP_AUTHORIZATION=f"Bearer {DEMO_TOKEN}")
    assert answer.status_code == 200 and answer.json()["results"]
    assert {row["sending_agency"] for row in answer.json()["results"]} == {
        Agency.objects.get(acronym="ANVT").pk
    }
