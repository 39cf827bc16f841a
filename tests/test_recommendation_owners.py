"""A recommendation is owned by a party of the evaluated agreement, and no list shows it to an
agency that may not see the evaluation (issue 16, point 7: VASE staff read an ANVT–CNPV
recommendation on their home page)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.errors import DomainError
from core.triggers import ensure_triggers
from evaluations import services
from evaluations.models import Evaluation, Finding
from evaluations.selectors import findings_visible_to

from .test_evaluations import form_data

pytestmark = pytest.mark.django_db

GUARD = importlib.import_module("evaluations.migrations.0004_recommendation_owner_is_a_party")
SECRET = "Texte confidentiel de la recommandation ANVT–CNPV."


@pytest.fixture
def pilot(demo):
    return Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)


@pytest.fixture
def vase(demo):
    return Agency.objects.get(acronym="VASE")


def _without_guard(write):
    """Run ``write`` as data written before the rule existed (the guard dropped, then back)."""
    GUARD.drop_guard(django_apps, connection.schema_editor())
    try:
        return write()
    finally:
        GUARD.create_guard(django_apps, connection.schema_editor())
        ensure_triggers()  # SQLite: the rule's triggers come from core.triggers


def _bad_recommendation(pilot, owner) -> Finding:
    return _without_guard(
        lambda: Finding.objects.create(
            evaluation=pilot,
            axis="partnership",
            kind=Finding.Kind.RECOMMENDATION,
            text=SECRET,
            owner=owner,
            due_date=timezone.localdate(),
            follow_up=Finding.FollowUp.OPEN,
        )
    )


def _options(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


def test_the_owner_dropdown_offers_the_parties_of_the_agreement_only(pilot, vase, login, client):
    user = login("anvt-evaluator")
    draft = services.evaluation_new_version(evaluation=pilot, user=user)
    page = client.get(reverse("evaluations:edit", args=[draft.pk])).content.decode()
    options = _options(page, "findings-0-owner")
    assert f'value="{pilot.agreement.party_a_id}"' in options
    assert f'value="{pilot.agreement.party_b_id}"' in options
    assert f'value="{vase.pk}"' not in options
    assert options.count("<option") == 3  # the empty choice and the two parties


def test_the_new_evaluation_form_offers_only_parties_of_the_agencys_agreements(
    pilot, vase, login, client
):
    login("cnpv-manager")
    page = client.get(reverse("evaluations:create")).content.decode()
    options = _options(page, "findings-0-owner")
    assert f'value="{pilot.agreement.party_a_id}"' in options  # ANVT, CNPV's partner
    assert f'value="{vase.pk}"' not in options  # CNPV has no agreement with VASE


def test_posting_a_non_party_owner_is_refused_with_the_form_error(pilot, vase, login, client):
    login("anvt-evaluator")
    before = (Evaluation.objects.count(), Finding.objects.count())
    response = client.post(
        reverse("evaluations:create"), form_data(pilot, **{"findings-1-owner": vase.pk})
    )
    assert response.status_code == 200
    findings = response.context["findings"]
    assert "owner" in findings.forms[1].errors
    assert findings.forms[1].errors["owner"][0] in response.content.decode()
    assert (Evaluation.objects.count(), Finding.objects.count()) == before


def test_the_service_refuses_a_non_party_owner_and_saves_nothing(pilot, vase, demo):
    user = pilot.created_by
    evaluation = Evaluation(
        agreement=pilot.agreement,
        agency=pilot.agency,
        cohort="2017",
        title="Contrôle",
        period_start=pilot.period_start,
        period_end=pilot.period_end,
    )
    bad = Finding(
        axis="return", kind=Finding.Kind.RECOMMENDATION, order=1, text="À suivre.", owner=vase
    )
    before = (Evaluation.objects.count(), Finding.objects.count())
    with pytest.raises(DomainError, match="partie à la convention évaluée"):
        services.evaluation_create(evaluation=evaluation, scores=[], findings=[bad], user=user)
    assert (Evaluation.objects.count(), Finding.objects.count()) == before


def test_the_database_refuses_a_non_party_owner_on_insert_and_update(pilot, vase):
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            evaluation=pilot, axis="return", kind="recommendation", text="x", owner=vase
        )
    good = pilot.findings.filter(kind="recommendation").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=good.pk).update(owner=vase)
    good.refresh_from_db()
    assert good.owner_id in pilot.agreement.party_ids


def test_a_recommendation_owned_by_a_non_party_never_shows_on_that_owners_home_page(
    pilot, vase, login, client
):
    _bad_recommendation(pilot, vase)
    user = login("vase-officer")
    page = client.get(reverse("home")).content.decode()
    assert SECRET[:40] not in page
    assert not findings_visible_to(user, agency=vase).filter(text=SECRET).exists()
    # The parties see it in the evaluation, as before.
    login("anvt-manager")
    assert SECRET in client.get(reverse("evaluations:detail", args=[pilot.pk])).content.decode()


def test_a_party_owner_still_sees_its_recommendation_due(pilot, login, client):
    cnpv = Agency.objects.get(acronym="CNPV")
    Finding.objects.create(
        evaluation=pilot,
        axis="partnership",
        kind=Finding.Kind.RECOMMENDATION,
        text=SECRET,
        owner=cnpv,
        due_date=timezone.localdate(),
        follow_up=Finding.FollowUp.OPEN,
    )
    login("cnpv-manager")
    assert SECRET[:40] in client.get(reverse("home")).content.decode()


def test_the_migration_clears_owners_that_are_not_parties(pilot, vase):
    bad = _bad_recommendation(pilot, vase)
    kept = list(pilot.findings.exclude(owner=None).exclude(pk=bad.pk).values_list("pk", "owner"))
    assert kept
    GUARD.clear_owners_not_parties(django_apps, connection.schema_editor())
    bad.refresh_from_db()
    assert bad.owner_id is None
    assert list(
        pilot.findings.exclude(owner=None).values_list("pk", "owner").order_by("pk")
    ) == sorted(kept)


def test_the_findings_selector_keeps_to_the_agency_and_the_user(pilot, vase, django_user_model):
    cnpv = Agency.objects.get(acronym="CNPV")
    outsider = django_user_model.objects.get(username="vase-officer")
    admin = django_user_model.objects.get(username="admin")
    pilot_findings = set(pilot.findings.values_list("pk", flat=True))
    assert pilot_findings <= set(findings_visible_to(admin).values_list("pk", flat=True))
    assert pilot_findings <= set(
        findings_visible_to(admin, agency=cnpv).values_list("pk", flat=True)
    )
    assert not findings_visible_to(admin, agency=vase).filter(pk__in=pilot_findings).exists()
    assert not findings_visible_to(outsider).filter(pk__in=pilot_findings).exists()
    # Acting for an agency one is not a member of gives nothing.
    assert not findings_visible_to(outsider, agency=cnpv).exists()
