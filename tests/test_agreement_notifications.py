"""E-mails to the partner's managers, sent once the change has committed (by the outbox's task,
run in-process here)."""

import pytest

from exchanges.models import Agreement
from exchanges.services import (
    agreement_approve,
    agreement_submit,
    agreement_suspend,
    agreement_update,
)
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    current_quotas,
    make_agreement,
    manager_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def setting():
    a, b = AgencyFactory(acronym="ANVT-N"), AgencyFactory(acronym="CNPV-N")
    manager_a, manager_b = manager_of(a), manager_of(b)
    MembershipFactory(agency=b, role="officer")  # officers are not asked to approve
    agreement = make_agreement(party_a=a, party_b=b, author=manager_a, reference="VIR-N-1")
    return agreement, manager_a, manager_b


def _approve(agreement, user, agency):
    agreement = Agreement.objects.get(pk=agreement.pk)
    return agreement_approve(
        agreement=agreement,
        version_number=agreement.current_version.number,
        agency=agency,
        user=user,
        base_url="https://vir.example.org/",
    )


def test_the_partners_managers_are_asked_to_approve_after_commit(
    setting, mailoutbox, django_capture_on_commit_callbacks
):
    agreement, manager_a, manager_b = setting
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agreement_submit(
            agreement=agreement,
            user=manager_a,
            by_agency=agreement.party_a,
            base_url="https://vir.example.org/",
        )
    assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    [mail] = mailoutbox
    assert mail.to == [manager_b.email]
    assert mail.subject == "[Reciprocity] La convention VIR-N-1 attend votre approbation"
    assert "ANVT-N vous demande d’approuver la version 1" in mail.body
    assert f"https://vir.example.org/agreements/{agreement.pk}/" in mail.body


def test_each_approval_tells_the_partner(setting, mailoutbox, django_capture_on_commit_callbacks):
    agreement, manager_a, manager_b = setting
    agreement_submit(agreement=agreement, user=manager_a, by_agency=agreement.party_a)
    with django_capture_on_commit_callbacks(execute=True):
        _approve(agreement, manager_b, agreement.party_b)
    assert [m.to for m in mailoutbox] == [[manager_a.email]]
    assert "attend votre approbation" in mailoutbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        _approve(agreement, manager_a, agreement.party_a)
    assert mailoutbox[1].to == [manager_b.email]
    assert "approuvée par les deux parties" in mailoutbox[1].subject


def test_a_change_to_an_approved_agreement_is_announced_to_the_partner(
    setting, mailoutbox, django_capture_on_commit_callbacks
):
    agreement, manager_a, manager_b = setting
    agreement_submit(agreement=agreement, user=manager_a, by_agency=agreement.party_a)
    _approve(agreement, manager_b, agreement.party_b)
    _approve(agreement, manager_a, agreement.party_a)
    agreement = Agreement.objects.get(pk=agreement.pk)
    agreement.max_age = 30
    with django_capture_on_commit_callbacks(execute=True):
        agreement_update(
            agreement=agreement,
            themes=[],
            quotas=current_quotas(agreement),
            user=manager_b,
            by_agency=agreement.party_b,
        )
    [mail] = mailoutbox
    assert mail.to == [manager_a.email]
    assert mail.subject == "[Reciprocity] La convention VIR-N-1 a été modifiée"
    assert "la version 2 doit de nouveau être approuvée" in mail.body


def test_a_draft_changes_silently_and_a_suspension_is_announced(
    setting, mailoutbox, django_capture_on_commit_callbacks
):
    agreement, manager_a, manager_b = setting
    agreement.max_age = 28
    with django_capture_on_commit_callbacks(execute=True):
        agreement_update(agreement=agreement, themes=[], quotas=[], user=manager_a)
    assert mailoutbox == []
    Agreement.objects.filter(pk=agreement.pk).update(status="approved")
    with django_capture_on_commit_callbacks(execute=True):
        agreement_suspend(
            agreement=agreement, reason="Crise", user=manager_b, by_agency=agreement.party_b
        )
    [mail] = mailoutbox
    assert mail.to == [manager_a.email]
    assert "Suspendue" in mail.subject and "Motif : Crise" in mail.body
