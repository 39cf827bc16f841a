import datetime
import io

from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q

from agencies.models import Agency
from exchanges.models import Agreement, Quota
from exchanges.versions import canonical_json, render_substance, sha256_of
from programmes.models import Application, Programme, ProgrammeMission
from programmes.selectors import programme_figures
from volunteers import eligibility
from volunteers.models import Volunteer
from volunteers.selectors import eligible_q


def _generate(seed=7):
    call_command(
        "generate_data",
        volunteers=300,
        agencies=8,
        agreements=20,
        seed=seed,
        stdout=io.StringIO(),
    )


def test_it_generates_the_requested_sizes(db):
    _generate()
    assert Agency.objects.filter(acronym__startswith="GEN-").count() == 8
    assert Volunteer.objects.count() == 300
    assert Agreement.objects.count() == 20
    assert Quota.objects.count() == 80
    assert Volunteer.objects.filter(sending_agency__acronym="GEN-001").count() == 30
    from missions.models import Placement

    assert Placement.objects.count() == 600  # twice the volunteers by default


def test_versions_hash_the_substance_as_the_service_does(db):
    _generate()
    for agreement in Agreement.objects.select_related("current_version", "party_a", "party_b"):
        canonical = canonical_json(render_substance(agreement))
        assert agreement.current_version.sha256 == sha256_of(canonical)
        if agreement.status == "approved":
            assert agreement.last_approved_version_id == agreement.current_version_id


def test_the_eligibility_filter_agrees_with_the_pure_function(db):
    _generate()
    on = datetime.date.today()
    eligible = set(Volunteer.objects.filter(eligible_q(on)).values_list("pk", flat=True))
    for volunteer in Volunteer.objects.prefetch_related("experiences"):
        periods = [(e.start, e.end) for e in volunteer.experiences.all()]
        result = eligibility.evaluate(volunteer.birth_date, periods, on, eligibility.Rules())
        assert result.eligible == (volunteer.pk in eligible), volunteer.pk


class _Rollback(Exception):
    pass


def test_the_same_seed_gives_the_same_data(db):
    try:
        with transaction.atomic():
            _generate(seed=3)
            first = list(Volunteer.objects.order_by("pk").values_list("first_name", "birth_date"))
            raise _Rollback
    except _Rollback:
        pass
    _generate(seed=3)
    second = list(Volunteer.objects.order_by("pk").values_list("first_name", "birth_date"))
    assert first == second


def test_reports_fill_the_reports_page_and_nominations_await_only_future_missions(db):
    from missions.models import Placement
    from reports.models import Report

    _generate()
    # Three years of monthly quota reports per agency, and one agreement report in ten.
    assert Report.objects.filter(agency__isnull=False).count() == 8 * 36
    assert Report.objects.filter(agreement__isnull=False).count() == 2
    today = datetime.date.today()
    pending = Placement.objects.filter(status="nominated")
    assert not pending.filter(mission__start_date__lte=today).exists()
    assert Placement.objects.filter(status="declined", mission__start_date__lte=today).exists()


def test_the_tallies_count_the_loaded_rows(db):
    """The generator loads without the tally triggers, then counts the tallies from the tables."""
    from django.db.models import Count, Sum

    from missions.models import Placement
    from missions.tallies import PlacementTally
    from volunteers.tallies import VolunteerTally

    _generate()
    assert VolunteerTally.objects.aggregate(n=Sum("n"))["n"] == Volunteer.objects.count()
    by_key = {
        (row["sending_agency"], row["status"]): row["n"]
        for row in Volunteer.objects.values("sending_agency", "status").annotate(n=Count("pk"))
    }
    assert {(t.agency_id, t.status): t.n for t in VolunteerTally.objects.filter(n__gt=0)} == by_key
    assert PlacementTally.objects.aggregate(n=Sum("n"))["n"] == Placement.objects.count()
    # The triggers are back: a change of status moves the volunteer between tallies.
    volunteer = Volunteer.objects.exclude(status="withdrawn").order_by("pk").first()
    tally = VolunteerTally.objects.filter(agency=volunteer.sending_agency_id, status="withdrawn")
    before = tally.aggregate(n=Sum("n"))["n"] or 0
    Volunteer.objects.filter(pk=volunteer.pk).update(status="withdrawn")
    assert tally.aggregate(n=Sum("n"))["n"] == before + 1


def test_programmes_are_added_to_a_generated_dataset(db):
    _generate()
    out = io.StringIO()
    call_command(
        "generate_data", programmes=True, programme_applications=200, programme_missions=60,
        stdout=out,
    )  # fmt: skip
    programme = Programme.objects.get(name="Programme généré")
    assert Application.objects.filter(call__programme=programme).count() == 200
    links = ProgrammeMission.objects.filter(laureate__call__programme=programme)
    assert 0 < links.count() <= 60
    assert not links.exclude(
        Q(mission__quota__receiving=F("laureate__operator"))
        | Q(mission__quota__sending=F("laureate__operator"))
    ).exists()  # each mission is carried by its laureate's operator
    figures = programme_figures(programme)
    assert figures.authorities == 80 and figures.missions == links.count()
    assert programme.members.filter(user__username="bench-officer", role="staff").exists()
