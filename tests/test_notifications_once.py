"""One message per event and recipient (issue 18, point 9): a party asked to approve a version
is asked once, not again when its partner approves (read from the outbox)."""

import pytest

from core.models import OutgoingEmail
from exchanges.models import ApprovalRequest
from exchanges.services import QuotaData, agreement_approve, agreement_submit, agreement_update
from tests.factories import AgencyFactory, make_agreement, manager_of

pytestmark = pytest.mark.django_db


def _subjects_to(user):
    return [e.subject for e in OutgoingEmail.objects.order_by("pk") if user.email in e.to]


def _parties():
    a, b = AgencyFactory(acronym="ANVT"), AgencyFactory(acronym="ASC")
    author, partner = manager_of(a), manager_of(b)
    agreement = make_agreement(party_a=a, party_b=b, author=author, reference="VIR-TG-FR-2027")
    return a, b, author, partner, agreement


def test_the_partner_is_asked_once_per_version_not_again_when_the_submitter_approves():
    a, b, author, partner, agreement = _parties()
    agreement_submit(agreement=agreement, user=author, by_agency=a)
    agreement_approve(agreement=agreement, version_number=1, agency=a, user=author)
    awaiting = [s for s in _subjects_to(partner) if "VIR-TG-FR-2027" in s]
    assert awaiting == ["[Reciprocity] La convention VIR-TG-FR-2027 attend votre approbation"]
    assert _subjects_to(author) == []  # the submitter is not asked to approve its own request
    assert ApprovalRequest.objects.filter(agency=b).count() == 1
    # The partner's approval completes it: one "approved" message to the submitter, nothing else.
    agreement_approve(agreement=agreement, version_number=1, agency=b, user=partner)
    assert len(_subjects_to(partner)) == 1
    assert len(_subjects_to(author)) == 1 and "approuvée" in _subjects_to(author)[0]


def test_a_new_version_is_announced_once_by_its_change_not_again_by_an_approval():
    a, b, author, partner, agreement = _parties()
    agreement_submit(agreement=agreement, user=author, by_agency=a)
    rows = [
        QuotaData(cohort=2017, sending_id=a.pk, receiving_id=b.pk, places=5),
        QuotaData(cohort=2017, sending_id=b.pk, receiving_id=a.pk, places=2),
    ]
    agreement.refresh_from_db()
    version = agreement_update(
        agreement=agreement, themes=[], quotas=rows, user=author, by_agency=a
    )
    assert version.number == 2
    agreement_approve(agreement=agreement, version_number=2, agency=a, user=author)
    subjects = _subjects_to(partner)
    # Version 1 asked at the submission, version 2 announced by its change: two events, two
    # messages; the submitter's approval of version 2 adds none.
    assert len(subjects) == 2, subjects
    assert "attend votre approbation" in subjects[0] and "modifiée" in subjects[1]


def test_an_administrator_submitting_asks_each_party_once():
    a, _b, author, partner, agreement = _parties()
    agreement_submit(agreement=agreement, user=author)  # nobody acting for a party
    agreement_approve(agreement=agreement, version_number=1, agency=a, user=author)
    assert len(_subjects_to(partner)) == 1
    assert len(_subjects_to(author)) == 1
