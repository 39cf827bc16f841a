import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Agency, HostStructure, Membership
from core.languages import languages_of


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


def test_the_vase_staff_work_in_spanish_and_the_others_keep_the_default(demo):
    users = get_user_model().objects.filter(
        username__in=["vase-manager", "vase-officer", "anvt-manager"]
    )
    by_name = {u.username: u.pk for u in users}
    languages = languages_of(by_name.values())
    assert languages[by_name["vase-manager"]] == "es"
    assert languages[by_name["vase-officer"]] == "es"
    assert languages[by_name["anvt-manager"]] == "fr"
