"""Twenty managers confirming at the same moment on a quota of four: exactly four get in."""

import threading

import pytest
from django.db import connection

from core.errors import DomainError
from exchanges.models import Quota
from missions.models import Placement
from missions.services import placement_confirm, placement_nominate
from tests.factories import eligible_volunteer, make_mission, manager_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
PLACES = 4


def confirm_all_at_once(placements, user):
    barrier = threading.Barrier(len(placements))
    confirmed, refusals, errors = [], [], []

    def confirm(pk):
        try:
            placement = Placement.objects.get(pk=pk)
            barrier.wait(timeout=30)
            placement_confirm(placement=placement, user=user)
            confirmed.append(pk)
        except DomainError as exc:
            refusals.append(exc.message)
        except Exception as exc:  # reported below: a deadlock or a constraint would land here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=[p.pk]) for p in placements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return confirmed, refusals, errors


@pytest.mark.parametrize("attempt", range(10))
def test_parallel_confirmations_never_exceed_the_quota(attempt):
    # One mission with room for everyone: the quota (4 places) is the limit under test.
    mission = make_mission(places=THREADS)
    Quota.objects.filter(pk=mission.quota_id).update(approved_places=PLACES)
    host_manager = manager_of(mission.quota.receiving)
    placements = [
        placement_nominate(
            mission=mission, volunteer=eligible_volunteer(mission.quota.sending), user=None
        )
        for _ in range(THREADS)
    ]
    confirmed, refusals, errors = confirm_all_at_once(placements, host_manager)
    assert errors == []
    assert len(confirmed) == PLACES
    assert len(refusals) == THREADS - PLACES
    assert all(f"{PLACES}/{PLACES}" in message for message in refusals)
    assert Placement.objects.filter(quota=mission.quota_id, status="confirmed").count() == PLACES
