"""Both parties approving at the same moment: the row lock makes the second one see the first."""

import threading

import pytest
from django.db import connection

from exchanges.models import Agreement
from exchanges.services import agreement_approve, agreement_submit
from tests.factories import AgencyFactory, make_agreement, manager_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_approvals_by_both_parties_approve_the_agreement():
    a, b = AgencyFactory(), AgencyFactory()
    managers = {a: manager_of(a), b: manager_of(b)}
    agreement = make_agreement(party_a=a, party_b=b, author=managers[a])
    agreement_submit(agreement=agreement, user=managers[a])
    barrier = threading.Barrier(2)
    errors = []

    def approve(agency):
        try:
            fresh = Agreement.objects.get(pk=agreement.pk)
            barrier.wait(timeout=10)
            agreement_approve(
                agreement=fresh, version_number=1, agency=agency, user=managers[agency]
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=[agency]) for agency in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    agreement = Agreement.objects.get(pk=agreement.pk)
    # Without the lock each transaction would count only its own approval, and neither would
    # mark the agreement approved.
    assert agreement.status == "approved"
    assert agreement.last_approved_version.number == 1
    assert agreement.current_version.approvals.count() == 2
