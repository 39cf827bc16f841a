"""The agreement workflow in exchanges.services: versions, approvals by both parties, status."""

import dataclasses
import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from agencies import rules as access
from agencies.selectors import partner_ids_of
from core.errors import DomainError
from exchanges.models import Agreement, AgreementStatus, Approval, Quota, phase_of
from exchanges.selectors import agreements_awaiting_approval
from exchanges.services import (
    QuotaData,
    agreement_approve,
    agreement_resume,
    agreement_submit,
    agreement_suspend,
    agreement_terminate,
    agreement_update,
)
from exchanges.versions import canonical_json, render_substance, sha256_of
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    MembershipFactory,
    current_quotas,
    make_agreement,
    manager_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """Messages are asserted in French, whatever language an earlier test left active."""
    with translation.override("fr"):
        yield


quotas_of = current_quotas


def update(agreement, user, *, quotas=None, **fields):
    agreement = Agreement.objects.get(pk=agreement.pk)
    for name, value in fields.items():
        setattr(agreement, name, value)
    return agreement_update(
        agreement=agreement,
        themes=list(agreement.themes.all()),
        quotas=quotas_of(agreement) if quotas is None else quotas,
        user=user,
    )


def with_places(agreement, cohort, sending, places):
    return [
        dataclasses.replace(q, places=places)
        if (q.cohort, q.sending_id) == (cohort, sending.pk)
        else q
        for q in quotas_of(agreement)
    ]


@pytest.fixture
def parties():
    a, b = AgencyFactory(acronym="ANVT-T"), AgencyFactory(acronym="CNPV-T")
    return a, b, manager_of(a), manager_of(b)


@pytest.fixture
def submitted(parties):
    a, b, manager_a, _ = parties
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    return agreement_submit(agreement=agreement, user=manager_a, by_agency=a)


def approve(agreement, agency, user, number=None):
    agreement = Agreement.objects.get(pk=agreement.pk)
    return agreement_approve(
        agreement=agreement,
        version_number=number or agreement.current_version.number,
        agency=agency,
        user=user,
    )


def approve_both(agreement, parties):
    a, b, manager_a, manager_b = parties
    approve(agreement, a, manager_a)
    approve(agreement, b, manager_b)
    return Agreement.objects.get(pk=agreement.pk)


def test_creating_an_agreement_records_version_1_with_the_hash_of_its_substance(parties):
    a, b, manager_a, _ = parties
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    version = agreement.current_version
    assert (version.number, version.created_by) == (1, manager_a)
    assert version.sha256 == sha256_of(version.canonical)
    assert version.canonical == canonical_json(render_substance(agreement))
    assert version.data["quotas"] == [
        {"cohort": "2017", "sending": "ANVT-T", "receiving": "CNPV-T", "places": 4,
         "duration_months": None},
        {"cohort": "2017", "sending": "CNPV-T", "receiving": "ANVT-T", "places": 2,
         "duration_months": None},
    ]  # fmt: skip
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.last_approved_version is None


def test_it_is_approved_once_both_parties_approve_the_same_version(parties, submitted):
    a, b, manager_a, manager_b = parties
    first = approve(submitted, a, manager_a)
    assert first.sha256 == submitted.current_version.sha256
    assert first.user == manager_a and first.approved_at is not None
    agreement = Agreement.objects.get(pk=submitted.pk)
    assert agreement.status == AgreementStatus.SUBMITTED
    assert agreement.last_approved_version is None
    assert set(agreement.quotas.values_list("approved_places", flat=True)) == {None}

    approve(submitted, b, manager_b)
    agreement = Agreement.objects.get(pk=submitted.pk)
    assert agreement.status == AgreementStatus.APPROVED
    assert agreement.last_approved_version == agreement.current_version
    assert not agreement.has_pending_changes
    assert sorted(agreement.quotas.values_list("approved_places", flat=True)) == [2, 4]


def test_editing_a_quota_after_approval_clears_both_approvals_and_changes_the_hash(
    parties, submitted
):
    a, _, manager_a, manager_b = parties
    agreement = approve_both(submitted, parties)
    v1 = agreement.current_version

    v2 = update(agreement, manager_b, quotas=with_places(agreement, 2017, a, 5))

    agreement = Agreement.objects.get(pk=agreement.pk)
    assert v2.number == 2 and agreement.current_version == v2
    assert v2.sha256 != v1.sha256
    assert v2.approvals.count() == 0  # both approvals are needed again
    assert v1.approvals.count() == 2  # the old version keeps its own
    assert agreement.has_pending_changes
    # Placements keep running under version 1 until version 2 is approved.
    assert agreement.last_approved_version == v1
    quota = agreement.quotas.get(sending=a)
    assert (quota.places, quota.approved_places) == (5, 4)

    with pytest.raises(DomainError, match="version actuelle"):
        approve(agreement, a, manager_a, number=1)
    assert Approval.objects.filter(user=manager_a).count() == 1  # the one of version 1
    assert v2.approvals.count() == 0

    approve_both(agreement, parties)
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.last_approved_version == v2
    assert agreement.quotas.get(sending=a).approved_places == 5


def test_a_change_of_notes_or_document_is_not_a_new_version(parties, submitted):
    _, _, manager_a, _ = parties
    assert update(submitted, manager_a, notes="Rencontre prévue à Bamako.") is None
    assert Agreement.objects.get(pk=submitted.pk).current_version.number == 1


def test_every_version_is_kept(parties):
    a, b, manager_a, _ = parties
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    update(agreement, manager_a, max_age=30)
    update(agreement, manager_a, quotas=with_places(agreement, 2017, b, 3))
    update(agreement, manager_a, max_age=25)
    numbers = list(agreement.versions.order_by("number").values_list("number", "sha256"))
    assert [n for n, _ in numbers] == [1, 2, 3, 4]
    assert len({h for _, h in numbers}) == 4


def test_a_quota_must_go_from_one_party_to_the_other(parties):
    a, b, manager_a, _ = parties
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    third = AgencyFactory()
    for sending, receiving in [(a, third), (third, b), (a, a)]:
        with pytest.raises(DomainError, match="une partie"):
            update(agreement, manager_a, quotas=[QuotaData(2018, sending.pk, receiving.pk, 1)])
    assert agreement.quotas.count() == 2


def test_the_database_refuses_what_the_services_refuse(parties):
    a, b, manager_a, _ = parties
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a)
    quota = agreement.quotas.get(sending=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(pk=quota.pk).update(places=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(agreement=agreement, cohort=2017, sending=a, receiving=b, places=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(party_b=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(party_a=a, party_b=b, reference=agreement.reference)


def test_only_a_manager_of_a_party_approves_for_it(parties, submitted):
    a, b, manager_a, _ = parties
    officer = MembershipFactory(agency=a, role="officer").user
    with pytest.raises(DomainError, match="responsable"):
        approve(submitted, a, officer)
    with pytest.raises(DomainError, match="responsable"):
        approve(submitted, b, manager_a)  # a manager of A does not approve for B
    third = AgencyFactory()
    with pytest.raises(DomainError, match="deux parties"):
        approve(submitted, third, manager_of(third))


def test_a_party_approves_a_version_once(parties, submitted):
    a, _, manager_a, _ = parties
    approve(submitted, a, manager_a)
    with pytest.raises(DomainError, match="déjà approuvé"):
        approve(submitted, a, manager_of(a))


def test_a_draft_is_submitted_before_approval_and_needs_places(parties):
    a, b, manager_a, _ = parties
    empty = make_agreement(party_a=a, party_b=b, author=manager_a, quotas=[(2017, "ab", 0)])
    with pytest.raises(DomainError, match="au moins un quota"):
        agreement_submit(agreement=empty, user=manager_a)
    draft = make_agreement(party_a=a, party_b=b, author=manager_a)
    with pytest.raises(DomainError, match="pas en attente"):
        approve(draft, a, manager_a)
    agreement_submit(agreement=draft, user=manager_a)
    with pytest.raises(DomainError, match="brouillon"):
        agreement_submit(agreement=draft, user=manager_a)


def test_approval_is_refused_if_the_text_changed_behind_the_services_back(parties, submitted):
    a, _, manager_a, _ = parties
    Quota.objects.filter(agreement=submitted, sending=a).update(places=40)
    with pytest.raises(DomainError, match="a changé"):
        approve(submitted, a, manager_a)


def test_removing_an_approved_quota_keeps_it_at_zero_until_the_change_is_approved(
    parties, submitted
):
    a, b, manager_a, _ = parties
    agreement = approve_both(submitted, parties)
    only_a_to_b = [q for q in quotas_of(agreement) if q.sending_id == a.pk]
    update(agreement, manager_a, quotas=[*only_a_to_b, QuotaData(2018, a.pk, b.pk, 3)])
    b_to_a = agreement.quotas.get(sending=b, cohort=2017)
    assert (b_to_a.places, b_to_a.approved_places) == (0, 2)
    new = agreement.quotas.get(cohort=2018)
    assert new.approved_places is None
    # A quota that was never approved simply goes.
    update(agreement, manager_a, quotas=[q for q in quotas_of(agreement) if q.cohort != 2018])
    assert not agreement.quotas.filter(cohort=2018).exists()


def test_suspend_resume_and_terminate_need_a_reason_and_follow_the_lifecycle(parties, submitted):
    manager_a = parties[2]
    with pytest.raises(DomainError, match="approuvé"):
        agreement_suspend(agreement=submitted, reason="Crise", user=manager_a)
    agreement = approve_both(submitted, parties)
    with pytest.raises(DomainError, match="motif"):
        agreement_suspend(agreement=agreement, reason="  ", user=manager_a)
    agreement = agreement_suspend(agreement=agreement, reason="Crise sanitaire", user=manager_a)
    assert (agreement.status, agreement.status_reason) == ("suspended", "Crise sanitaire")
    agreement = agreement_resume(agreement=agreement, user=manager_a)
    assert (agreement.status, agreement.status_reason) == ("approved", "")
    agreement = agreement_terminate(agreement=agreement, reason="Fin du programme", user=manager_a)
    assert agreement.phase == "terminated" and not agreement.is_editable
    with pytest.raises(DomainError, match="ne peut plus"):
        update(agreement, manager_a, max_age=30)
    with pytest.raises(DomainError, match="déjà"):
        agreement_terminate(agreement=agreement, reason="Encore", user=manager_a)


@pytest.mark.parametrize(
    "status, today, expected",
    [
        ("approved", datetime.date(2017, 9, 30), "approved"),
        ("approved", datetime.date(2017, 10, 1), "active"),
        ("approved", datetime.date(2030, 12, 31), "active"),
        ("approved", datetime.date(2031, 1, 1), "closed"),
        ("submitted", datetime.date(2020, 1, 1), "submitted"),
        ("suspended", datetime.date(2031, 1, 1), "suspended"),
    ],
)
def test_active_and_closed_follow_the_dates_of_an_approved_agreement(status, today, expected):
    start, end = datetime.date(2017, 10, 1), datetime.date(2030, 12, 31)
    assert phase_of(status, start, end, today) == expected
    agreement = make_agreement(start_date=start, end_date=end)
    Agreement.objects.filter(pk=agreement.pk).update(status=status)
    in_state = {
        state for state in AgreementStatus.values
        if Agreement.objects.in_phase(state, today).filter(pk=agreement.pk).exists()
    }  # fmt: skip
    assert in_state == {expected}


def test_eligibility_rules_default_to_18_25_and_730_days():
    rules = Agreement(min_age=18, max_age=25, min_experience_days=730).eligibility_rules()
    assert dataclasses.asdict(rules) == {"min_age": 18, "max_age": 25, "min_experience_days": 730}
    assert dataclasses.asdict(Agreement().eligibility_rules()) == dataclasses.asdict(rules)


def test_partners_are_agencies_with_an_agreement_approved_by_both(parties, submitted):
    a, b, _, _ = parties
    assert partner_ids_of({a.pk}) == set()  # submitted is not agreed yet
    approve_both(submitted, parties)
    assert partner_ids_of({a.pk}) == {b.pk}
    assert partner_ids_of({b.pk}) == {a.pk}
    assert partner_ids_of({AgencyFactory().pk}) == set()
    Agreement.objects.filter(pk=submitted.pk).update(status="terminated")
    assert partner_ids_of({a.pk}) == set()


def test_an_agency_page_links_its_partners_once_agreed(client, parties, submitted):
    a, b, manager_a, _ = parties
    url, link = reverse("agencies:detail", args=[a.pk]), reverse("agencies:detail", args=[b.pk])
    client.force_login(manager_a)
    assert link not in client.get(url).content.decode()  # a submitted draft: no partner yet
    approve_both(submitted, parties)
    page = client.get(url).content.decode()
    assert f'<li><a href="{link}">{b.name} ({b.acronym})</a></li>' in page


def test_one_person_cannot_approve_a_version_for_both_parties(parties, submitted):
    """A manager of both parties (walk 6, #8) may approve for either, not for both: the two
    approvals are two people's."""
    a, b, _, manager_b = parties
    dual = manager_of(a)
    MembershipFactory(user=dual, agency=b, role="manager")
    approve(submitted, a, dual)
    agreement = Agreement.objects.get(pk=submitted.pk)
    assert not access.can_approve_for(dual, agreement, b.pk)
    assert list(agreements_awaiting_approval(agency=b, user=dual)) == []
    assert list(agreements_awaiting_approval(agency=b, user=manager_b)) == [agreement]
    with pytest.raises(DomainError, match="une autre personne"):
        approve(submitted, b, dual)
    assert agreement.current_version.approvals.count() == 1
    # Another manager of the other party approves: the version is approved by both.
    approve(submitted, b, manager_b)
    assert Agreement.objects.get(pk=submitted.pk).status == AgreementStatus.APPROVED
