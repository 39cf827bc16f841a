"""The volunteer list's sorts read an index, also for the administrator across every agency
(docs/performance.md): the id breaks ties in the sort's direction, so a descending sort reads
its (…, id) index backwards instead of sorting the register."""

import pytest
from django.contrib.auth.models import User
from django.db import connection

from tests.factories import VolunteerFactory
from volunteers.filters import VolunteerFilter
from volunteers.selectors import volunteers_registered_by

pytestmark = pytest.mark.django_db

SORTS = {
    "birth_date": "volunteer_birth_id_idx",
    "-birth_date": "volunteer_birth_id_idx",
    "nationality": "volunteer_nat_id_idx",
    "-nationality": "volunteer_nat_id_idx",
    "status": "volunteer_status_id_idx",
    "-status": "volunteer_status_id_idx",
    "updated": "volunteer_updated_id_idx",
    "-updated": "volunteer_updated_id_idx",
}


@pytest.fixture
def admin():
    return User.objects.create_superuser("sort-admin", "sort-admin@example.org", "x")


def _page(user, ordering):
    filterset = VolunteerFilter(
        {"ordering": ordering}, queryset=volunteers_registered_by(user), user=user
    )
    return filterset.qs[:50]


def test_ties_are_broken_by_the_id_in_the_sorts_direction(admin):
    volunteers = VolunteerFactory.create_batch(3, nationality="TG")
    ids = sorted(v.pk for v in volunteers)
    assert [v.pk for v in _page(admin, "nationality")] == ids
    assert [v.pk for v in _page(admin, "-nationality")] == ids[::-1]
    assert [v.pk for v in _page(admin, "status")] == ids


@pytest.mark.postgres
@pytest.mark.parametrize("ordering", SORTS)
def test_the_administrators_sorts_read_their_index_without_sorting(admin, ordering):
    VolunteerFactory.create_batch(3)
    # A few rows: without these, any plan is cheap. With sorting disabled, a Sort node is
    # still planned when no index gives the order, so its absence is the proof.
    with connection.cursor() as cursor:
        for setting in ("seqscan", "sort", "hashjoin", "mergejoin"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
    plan = _page(admin, ordering).explain()
    assert SORTS[ordering] in plan, plan
    assert "Sort" not in plan, plan
