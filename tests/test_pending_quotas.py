"""The rows an amendment adds to an approved agreement are not agreed until both parties approve
it: every figure shown as agreed (the list's places each way, the quota table's taken / places and
remaining, the balance, the home page's panel, the quota report, an evaluation's quotas) counts the
approved places only, and the quota table marks such rows as awaiting approval (walk 6, #2)."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dashboard.selectors import _quotas_near_full
from evaluations.models import Evaluation
from evaluations.selectors import evaluation_quotas
from exchanges.models import Agreement, Quota
from exchanges.quota_report import Scope, build_quota_report
from exchanges.selectors import (
    AgreementFilters,
    agreement_list,
    places_of,
    quota_figures,
    reciprocity_balance,
)
from exchanges.services import QuotaData, agreement_approve, agreement_submit, agreement_update
from tests.factories import (
    AgencyFactory,
    current_quotas,
    make_agreement,
    manager_of,
)

pytestmark = pytest.mark.django_db

NEXT = timezone.localdate().year + 1


def _approve(agreement, agency):
    agreement = Agreement.objects.get(pk=agreement.pk)
    agreement_approve(
        agreement=agreement,
        version_number=agreement.current_version.number,
        agency=agency,
        user=manager_of(agency),
    )


@pytest.fixture
def amended():
    """Approved with 4 / 2 places in 2017; then party A adds a cohort of 3 places each way
    (and changes nothing else) and approves it: the new version awaits party B."""
    a, b = AgencyFactory(acronym="ANVT-P"), AgencyFactory(acronym="VASE-P")
    agreement = make_agreement(party_a=a, party_b=b, author=manager_of(a))
    agreement_submit(agreement=agreement, user=manager_of(a), by_agency=a)
    _approve(agreement, a)
    _approve(agreement, b)
    agreement = Agreement.objects.get(pk=agreement.pk)
    quotas = [*current_quotas(agreement), QuotaData(NEXT, a.pk, b.pk, 3)]
    quotas.append(QuotaData(NEXT, b.pk, a.pk, 3))
    version = agreement_update(
        agreement=agreement, themes=[], quotas=quotas, user=manager_of(a), by_agency=a
    )
    agreement_approve(
        agreement=agreement, version_number=version.number, agency=a, user=manager_of(a)
    )
    return Agreement.objects.get(pk=agreement.pk)


def test_a_row_of_a_pending_amendment_has_no_place_agreed(amended):
    rows = {(q.cohort, q.sending.acronym): q for q in quota_figures(quotas=amended.quotas.all())}
    pending = rows[NEXT, "ANVT-P"]
    assert (pending.places, pending.binding_places, pending.remaining) == (3, 0, 0)
    assert pending.pending and pending.is_pending
    approved = rows[2017, "ANVT-P"]
    assert (approved.binding_places, approved.remaining, approved.pending) == (4, 4, False)
    # The Python twin (the mission page's) says the same.
    for quota in Quota.objects.filter(agreement=amended):
        assert (
            places_of(quota).binding_places
            == rows[quota.cohort, quota.sending.acronym].binding_places
        )


def test_once_both_approve_the_row_is_agreed(amended):
    _approve(amended, amended.party_b)
    row = quota_figures(quotas=amended.quotas.filter(cohort=NEXT)).first()
    assert (row.binding_places, row.remaining, row.pending) == (3, 3, False)


def test_before_any_approval_the_written_places_are_shown_and_none_is_pending():
    draft = make_agreement(quotas=[(2017, "ab", 4), (2017, "ba", 2)])
    rows = list(quota_figures(quotas=draft.quotas.all()))
    assert [(q.binding_places, q.pending) for q in rows] == [(4, False), (2, False)]
    assert not Quota.objects.get(agreement=draft, places=4).is_pending
    listed = agreement_list(user=manager_of(draft.party_a), filters=AgreementFilters()).get()
    assert (listed.places_a_to_b, listed.places_b_to_a) == (4, 2)


def test_the_list_and_the_balance_count_the_approved_places(amended):
    listed = agreement_list(user=manager_of(amended.party_a), filters=AgreementFilters()).get()
    assert (listed.places_a_to_b, listed.places_b_to_a) == (4, 2)
    balance = list(reciprocity_balance(quotas=amended.quotas.all()))
    assert [(r["cohort"], r["places_a_to_b"], r["places_b_to_a"]) for r in balance] == [
        (2017, 4, 2)
    ]


def test_the_quota_report_leaves_the_pending_rows_out(amended):
    report = build_quota_report(scope=Scope(agreement_id=amended.pk), title="t")
    assert [(r.cohort, r.sending, r.places, r.remaining) for r in report.rows] == [
        (2017, "ANVT-P", 4, 4),
        (2017, "VASE-P", 2, 2),
    ]


def test_the_home_panel_does_not_warn_of_a_pending_row(amended):
    # One place each way: a quota agreed so would be "nearly full".
    agreement = amended
    Quota.objects.filter(agreement=agreement, cohort=NEXT).update(places=1)
    assert _quotas_near_full(agreement.party_a, timezone.localdate()) == []
    Quota.objects.filter(agreement=agreement, cohort=NEXT).update(approved_places=1)
    assert len(_quotas_near_full(agreement.party_a, timezone.localdate())) == 2


def test_an_evaluation_of_the_cohort_shows_no_pending_row(amended):
    evaluation = Evaluation(agreement=amended, cohort=str(NEXT))
    assert list(evaluation_quotas(evaluation=evaluation)) == []


def test_the_agreement_page_marks_the_pending_rows_and_counts_the_approved_places(
    client, login, demo
):
    """The demo's Togo–Ecuador amendment (ANVT approved, VASE has not) adds the cohort of the
    year after next, two places each way."""
    agreement = Agreement.objects.get(reference="VIR-TG-EC-2017")
    cohort = timezone.localdate().year + 2
    assert agreement.quotas.filter(cohort=cohort, approved_places__isnull=True).count() == 2
    login("anvt-manager")
    with translation.override("fr"):
        page = client.get(reverse("exchanges:detail", args=[agreement.pk])).content.decode()
        listing = client.get(reverse("exchanges:index")).content.decode()
    quotas = page[page.index('data-testid="quotas"') :]
    rows = [row for row in quotas.split("<tr>") if row.startswith(f"<td>{cohort}</td>")]
    assert len(rows) == 2
    for row in rows:
        assert "(en attente d’approbation)" in row
        assert 'data-testid="places-left">—</td>' in row
    balance = page[page.index('data-testid="balance"') : page.index('data-testid="quotas"')]
    assert f"<td>{cohort}</td>" not in balance
    approved = {
        (q.sending_id, q.approved_places)
        for q in agreement.quotas.exclude(approved_places__isnull=True)
    }
    a_to_b = sum(p for s, p in approved if s == agreement.party_a_id)
    b_to_a = sum(p for s, p in approved if s == agreement.party_b_id)
    row = listing[listing.index("VIR-TG-EC-2017") :]
    row = row[: row.index("</tr>")]
    assert f"{a_to_b} / {b_to_a}</td>" in row


def test_the_api_says_which_quotas_await_approval(amended):
    from tests.test_api import api, token_for

    _, secret = token_for(amended.party_a)
    rows = api(secret).get(f"/api/v1/quotas/?agreement={amended.pk}").json()["results"]
    by_key = {(row["cohort"], row["sending"]): row for row in rows}
    pending = by_key[NEXT, amended.party_a_id]
    assert (pending["pending"], pending["places"], pending["binding_places"]) == (True, 3, 0)
    assert by_key[2017, amended.party_a_id]["pending"] is False
    assert places_of(amended.quotas.get(cohort=NEXT, sending=amended.party_a)).pending is True
