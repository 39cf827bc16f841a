"""The counts kept by the database (core.tallies) equal a fresh count after any kind of write."""

from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from core.tallies import rebuild
from exchanges.models import Agreement, Quota
from missions.models import USED_STATUSES, DirectionUse, Placement, PlacementTally, QuotaUse
from missions.tallies import DIRECTION_TALLY, USED_TALLY
from missions.tallies import TALLY as PLACEMENTS
from tests.factories import AgencyFactory, VolunteerFactory
from volunteers.models import Volunteer, VolunteerTally
from volunteers.tallies import TALLY as VOLUNTEERS


def _kept(model, key):
    return {(row[key], row["status"]): row["n"] for row in model.objects.filter(n__gt=0).values()}


def _counted(model, source_key, key):
    rows = model.objects.order_by().values(source_key, "status").annotate(n=Count("pk"))
    return {(row[source_key], row["status"]): row["n"] for row in rows}


def _volunteers_agree():
    assert _kept(VolunteerTally, "agency_id") == _counted(Volunteer, "sending_agency", "agency")


def test_it_counts_volunteers_through_every_kind_of_write(db):
    a, b = AgencyFactory(), AgencyFactory()
    first, second, third = VolunteerFactory.create_batch(3, sending_agency=a, status="candidate")
    _volunteers_agree()
    assert VolunteerTally.objects.get(agency=a, status="candidate").n == 3

    first.status = "selected"
    first.save()  # a save
    Volunteer.objects.filter(pk=second.pk).update(sending_agency=b)  # moved, by a bulk update
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute(
            "UPDATE volunteers_volunteer SET status = %s WHERE id = %s", ["withdrawn", third.pk]
        )
    _volunteers_agree()
    assert dict(VolunteerTally.objects.filter(agency=a, n__gt=0).values_list("status", "n")) == {
        "selected": 1,
        "withdrawn": 1,
    }
    first.phone = "+228 90 00 00 00"
    first.save()  # no key column changed: the counts stay as they are
    Volunteer.objects.filter(pk__in=[first.pk, second.pk]).delete()
    _volunteers_agree()
    assert VolunteerTally.objects.get(agency=b, status="candidate").n == 0


def _places_taken_agree():
    kept = dict(QuotaUse.objects.filter(n__gt=0).values_list("quota", "n"))
    rows = Placement.objects.filter(status__in=USED_STATUSES).order_by().values_list("quota")
    assert kept == dict(rows.annotate(n=Count("pk")))


def _directions_agree():
    """The places taken per agreement and direction (``DirectionUse``) equal a fresh count of
    the placements taking a place, by their quota's agreement and sending agency."""
    kept = {
        (row.agreement_id, row.sending_id): row.n for row in DirectionUse.objects.filter(n__gt=0)
    }
    rows = (
        Placement.objects.filter(status__in=USED_STATUSES)
        .order_by()
        .values_list("quota__agreement", "quota__sending")
        .annotate(n=Count("pk"))
    )
    assert kept == {(agreement, sending): n for agreement, sending, n in rows}
    assert kept  # the demo has placements taking places


def test_it_counts_the_places_taken_per_agreement_and_direction(demo):
    _directions_agree()
    nominated = Placement.objects.filter(status="nominated").first()
    Placement.objects.filter(pk=nominated.pk).update(status="confirmed")  # takes a place
    _directions_agree()
    Placement.objects.filter(pk=nominated.pk).update(status="cancelled")  # gives it back
    _directions_agree()
    completed = Placement.objects.filter(status="completed").values_list("pk", flat=True)[:3]
    Placement.objects.filter(pk__in=list(completed)).delete()
    _directions_agree()
    # A quota moved to another agreement (the admin may) takes its places taken with it.
    quota = Quota.objects.filter(use__n__gt=0).first()
    other = (
        Agreement.objects.exclude(pk=quota.agreement_id)
        .exclude(quotas__cohort=quota.cohort)
        .first()
    )
    Quota.objects.filter(pk=quota.pk).update(agreement=other)
    _directions_agree()
    # A placement moved to another quota (raw SQL; its foreign keys are checked at commit).
    placement = Placement.objects.filter(status__in=USED_STATUSES).first()
    target = Quota.objects.exclude(pk=placement.quota_id).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL DEFERRED"
        ) if connection.vendor == "postgresql" else None
        cursor.execute(
            "UPDATE missions_placement SET quota_id = %s WHERE id = %s", [target.pk, placement.pk]
        )
    _directions_agree()
    Placement.objects.filter(pk=placement.pk).update(quota=placement.quota_id)  # back


def test_it_counts_placements_per_quota_and_status_and_the_places_taken(demo):
    placement = Placement.objects.filter(status="nominated").first()
    assert _kept(PlacementTally, "quota_id") == _counted(Placement, "quota", "quota")
    _places_taken_agree()
    taken = QuotaUse.objects.filter(quota=placement.quota_id).values_list("n", flat=True)
    before = taken.first() or 0
    Placement.objects.filter(pk=placement.pk).update(status="confirmed")  # takes a place
    assert _kept(PlacementTally, "quota_id") == _counted(Placement, "quota", "quota")
    _places_taken_agree()
    assert taken.get() == before + 1
    Placement.objects.filter(pk=placement.pk).update(status="deployed")  # still one place
    Placement.objects.filter(pk=placement.pk).update(reason="a note")  # no key column
    assert taken.get() == before + 1
    Placement.objects.filter(pk=placement.pk).update(status="cancelled")  # gives it back
    _places_taken_agree()
    assert taken.get() == before
    completed = Placement.objects.filter(status="completed").values_list("pk", flat=True)[:3]
    Placement.objects.filter(pk__in=list(completed)).delete()  # deleted, with their cascades
    _places_taken_agree()


def test_the_places_taken_are_the_placements_in_the_used_statuses():
    statuses = ", ".join(f"'{status}'" for status in USED_STATUSES)
    assert USED_TALLY.only == "{row}.status IN (" + statuses + ")"


def test_a_rebuild_counts_again_what_a_trigger_did_not_see(db):
    agency = AgencyFactory()
    VolunteerFactory.create_batch(2, sending_agency=agency)
    VolunteerTally.objects.all().delete()  # as after a TRUNCATE of the tally or a raw load
    rebuild(connection, VOLUNTEERS)
    rebuild(connection, PLACEMENTS)
    rebuild(connection, USED_TALLY)
    rebuild(connection, DIRECTION_TALLY)
    _volunteers_agree()
    assert VolunteerTally.objects.get(agency=agency, status="candidate").n == 2


def _tally(agency):
    return {row.status: row.n for row in VolunteerTally.objects.filter(agency=agency, n__gt=0)}


def test_migrate_puts_back_the_triggers_that_a_sqlite_table_rebuild_dropped(db):
    """SQLite rebuilds a table to alter it, dropping its triggers: after ``migrate`` they are
    there again and the counts are right (on PostgreSQL the triggers never go)."""
    agency = AgencyFactory()
    VolunteerFactory(sending_agency=agency, status="candidate")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in VOLUNTEERS.drop_sql("sqlite"):
                cursor.execute(sql)
        VolunteerFactory(sending_agency=agency, status="candidate")  # not counted: no trigger
        assert _tally(agency) != {"candidate": 2}
    else:
        VolunteerFactory(sending_agency=agency, status="candidate")
    call_command("migrate", verbosity=0)
    assert _tally(agency) == {"candidate": 2}
    VolunteerFactory(sending_agency=agency, status="selected")  # the triggers count again
    assert _tally(agency) == {"candidate": 2, "selected": 1}
