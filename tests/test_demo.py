import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Agency, HostStructure, Membership
from evaluations.models import Evaluation
from voice.models import Certificate, HostAssessment, Questionnaire, SupportAction


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


def test_it_shows_the_volunteers_voice(demo):
    """Answered and pending questionnaires, host assessments, a rendered certificate, support
    actions, and the pilot evaluation's frozen figures with the answers."""
    assert Questionnaire.objects.filter(submitted_at__isnull=False).count() == 3
    pending = Questionnaire.objects.get(submitted_at__isnull=True)
    assert pending.links.exists() and pending.messages.count() == 2
    assert Questionnaire.objects.filter(language="en").exists()
    assert HostAssessment.objects.count() == 2
    certificate = Certificate.objects.get()
    assert certificate.report.status == "done" and not certificate.is_revoked
    assert SupportAction.objects.count() == 4
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    assert pilot.figures["voice"]["questionnaires"] == 3
