"""Each agreement's own imbalance threshold (issue 18, "Alerts": "beyond the agreement's
threshold"): a validated field of the agreement, part of its versioned substance (format 3),
read by the imbalance alert and the quota report instead of a constant."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from dashboard.alerts import alerts_for
from exchanges.forms import AgreementForm
from exchanges.models import Agreement
from exchanges.quota_report import Scope, build_quota_report
from exchanges.services import (
    agreement_approve,
    agreement_record_version,
    agreement_submit,
    agreement_update,
)
from exchanges.versions import canonical_json, compare, render_substance, sha256_of
from missions.models import Placement
from tests.factories import (
    AgencyFactory,
    VolunteerFactory,
    approved_agreement,
    current_quotas,
    make_agreement,
    make_mission,
    manager_of,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2017, 11, 20)


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def send(agreement, n):
    """``n`` completed placements from party A to party B (none the other way)."""
    quota = agreement.quotas.get(sending=agreement.party_a)
    mission = make_mission(quota=quota, places=max(n, 1))
    for _ in range(n):
        Placement.objects.create(
            mission=mission,
            quota=quota,
            volunteer=VolunteerFactory(sending_agency=agreement.party_a),
            status="completed",
        )


def imbalance_alerts(agency):
    return [a for a in alerts_for(agency=agency, today=TODAY) if a.kind == "imbalance"]


def test_the_field_defaults_to_2_and_the_database_refuses_0():
    agreement = make_agreement()
    assert agreement.imbalance_threshold == 2
    with transaction.atomic(), pytest.raises(IntegrityError):
        Agreement.objects.filter(pk=agreement.pk).update(imbalance_threshold=0)


@pytest.mark.parametrize("value, valid", [("0", False), ("-1", False), ("1", True), ("7", True)])
def test_the_form_offers_and_validates_it(value, valid):
    agreement = make_agreement()
    form = AgreementForm(instance=agreement, party_a=agreement.party_a)
    assert "imbalance_threshold" in form.fields
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "party_b": agreement.party_b.pk,
            "start_date": "2017-01-01",
            "end_date": "2030-12-31",
            "themes": [],
            "imbalance_threshold": value,
        }
    )
    data.pop("document", None)
    bound = AgreementForm(data=data, instance=agreement, party_a=agreement.party_a)
    assert bound.is_valid() is valid, bound.errors
    if not valid:
        assert "imbalance_threshold" in bound.errors


@pytest.mark.parametrize("threshold", [1, 3])
def test_the_alert_fires_at_threshold_plus_one_not_at_the_threshold(threshold):
    agreement = approved_agreement(
        quotas=[(2017, "ab", 6), (2017, "ba", 6)], imbalance_threshold=threshold
    )
    send(agreement, threshold)
    assert imbalance_alerts(agreement.party_a) == []
    send(agreement, 1)
    (alert,) = imbalance_alerts(agreement.party_b)
    assert alert.subject == agreement.reference
    assert f": {threshold + 1}, " in alert.detail
    assert alert.detail.endswith(f"(écart supérieur à {threshold})")


def test_each_agreement_uses_its_own_value():
    strict = approved_agreement(quotas=[(2017, "ab", 4), (2017, "ba", 4)], imbalance_threshold=1)
    lenient = approved_agreement(
        party_a=strict.party_a, quotas=[(2017, "ab", 4), (2017, "ba", 4)], imbalance_threshold=5
    )
    send(strict, 2)
    send(lenient, 2)
    assert [a.subject for a in imbalance_alerts(strict.party_a)] == [strict.reference]
    assert imbalance_alerts(lenient.party_b) == []


def test_the_quota_report_flags_with_the_agreements_threshold_unless_one_is_asked():
    strict = approved_agreement(quotas=[(2017, "ab", 4), (2017, "ba", 4)], imbalance_threshold=1)
    lenient = approved_agreement(quotas=[(2017, "ab", 4), (2017, "ba", 4)], imbalance_threshold=3)
    send(strict, 2)
    send(lenient, 2)

    def flagged(agreement, threshold=None):
        report = build_quota_report(
            scope=Scope(agreement_id=agreement.pk, threshold=threshold), title="t"
        )
        (balance,) = report.balances
        return balance.threshold, report.flagged(balance)

    assert flagged(strict) == (1, True)
    assert flagged(lenient) == (3, False)
    # A threshold asked with the report wins over the agreement's.
    assert flagged(strict, threshold=2)[1] is False
    assert flagged(lenient, threshold=1)[1] is True


def test_it_is_substance_a_change_needs_both_approvals_again():
    agreement = approved_agreement()
    v1 = agreement.current_version
    assert v1.data["imbalance_threshold"] == 2 and v1.data["format"] == 3
    agreement.imbalance_threshold = 4
    v2 = agreement_update(
        agreement=agreement,
        themes=[],
        quotas=current_quotas(agreement),
        user=manager_of(agreement.party_a),
    )
    assert v2 is not None and v2.approvals.count() == 0
    changes = compare(v1.data, v2.data)
    assert [(c.field, c.old, c.new) for c in changes.fields] == [("imbalance_threshold", 2, 4)]


def _as_format_2(version):
    """Rewrite ``version`` as it was recorded before format 3 (no threshold in it)."""
    canonical = canonical_json(render_substance(version.agreement, fmt=2))
    assert "imbalance_threshold" not in canonical
    version.canonical, version.sha256 = canonical, sha256_of(canonical)
    version.save(update_fields=["canonical", "sha256"])


def test_a_version_pending_since_format_2_is_still_approved_and_compared_without_a_change():
    a, b = AgencyFactory(), AgencyFactory()
    manager_a, manager_b = manager_of(a), manager_of(b)
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    agreement_submit(agreement=agreement, user=manager_a)
    _as_format_2(agreement.current_version)
    agreement.refresh_from_db()
    # Unchanged: saving again records no new version, both parties can approve it.
    assert agreement_record_version(agreement=agreement, user=manager_a) is None
    for party, user in ((a, manager_a), (b, manager_b)):
        agreement_approve(agreement=agreement, version_number=1, agency=party, user=user)
    agreement.refresh_from_db()
    assert agreement.last_approved_version.number == 1
    new = render_substance(agreement)
    assert not compare(agreement.current_version.data, new).has_changes


def test_a_format_2_version_no_longer_matches_once_the_threshold_changed():
    a, b = AgencyFactory(), AgencyFactory()
    manager_a = manager_of(a)
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    agreement_submit(agreement=agreement, user=manager_a)
    _as_format_2(agreement.current_version)
    Agreement.objects.filter(pk=agreement.pk).update(imbalance_threshold=5)  # e.g. the admin
    agreement.refresh_from_db()
    with pytest.raises(DomainError, match="entre-temps"):
        agreement_approve(agreement=agreement, version_number=1, agency=a, user=manager_a)
    assert agreement_record_version(agreement=agreement, user=manager_a).number == 2


def test_the_agreement_page_shows_it(client):
    agreement = approved_agreement(imbalance_threshold=3)
    client.force_login(manager_of(agreement.party_a))
    page = client.get(reverse("exchanges:detail", args=[agreement.pk])).content.decode()
    assert "au-delà de 3 volontaires d’écart" in page


def test_the_admin_offers_it(admin_client):
    agreement = make_agreement()
    page = admin_client.get(reverse("admin:exchanges_agreement_change", args=[agreement.pk]))
    assert 'name="imbalance_threshold"' in page.content.decode()


def test_a_threshold_awaiting_approval_binds_no_one_until_both_parties_approve_it():
    agreement = approved_agreement(quotas=[(2017, "ab", 4), (2017, "ba", 4)])
    send(agreement, 2)
    agreement.imbalance_threshold = 1
    version = agreement_update(
        agreement=agreement,
        themes=[],
        quotas=current_quotas(agreement),
        user=manager_of(agreement.party_a),
    )
    agreement.refresh_from_db()
    assert (agreement.imbalance_threshold, agreement.binding_imbalance_threshold) == (1, 2)
    assert imbalance_alerts(agreement.party_a) == []
    report = build_quota_report(scope=Scope(agreement_id=agreement.pk), title="t")
    assert report.balances[0].threshold == 2 and not report.flagged(report.balances[0])
    for party in (agreement.party_a, agreement.party_b):
        agreement_approve(
            agreement=agreement,
            version_number=version.number,
            agency=party,
            user=manager_of(party),
        )
    agreement.refresh_from_db()
    assert agreement.binding_imbalance_threshold == 1
    assert [a.subject for a in imbalance_alerts(agreement.party_a)] == [agreement.reference]
