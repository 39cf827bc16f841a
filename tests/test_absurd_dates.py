"""Absurd dates are refused in the forms and the services, never a 500 (issue 16, point 11).

One rule (``core/dates.py``): a date from 1 January 1990 to 30 years from today; a birth date
within the last 100 years and not in the future. Year 1 and year 9999 are sent through every
form where a user types a date, and to the services directly.
"""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core import dates
from core.errors import DomainError
from evaluations.models import Evaluation
from exchanges.models import Agreement
from exchanges.services import agreement_create
from missions import services as mission_services
from missions.models import Mission, Placement
from missions.services import add_months
from tests.test_agreements import form_data as agreement_form
from tests.test_evaluations import form_data as evaluation_form
from tests.test_volunteer_import import EN, csv_file, good_row, submit
from tests.test_volunteers import form_data as volunteer_form
from volunteers.models import Volunteer

YEAR_1 = "0001-01-01"
YEAR_9999 = "9999-12-31"
RANGE = "Saisissez une date comprise entre"

pytestmark = pytest.mark.django_db


def test_the_range_is_from_1990_to_30_years_ahead_and_births_within_100_years():
    today = timezone.localdate()
    assert dates.date_error(datetime.date(1990, 1, 1)) is None
    assert dates.date_error(dates.latest(today)) is None
    assert dates.date_error(datetime.date(1989, 12, 31))
    assert dates.date_error(dates.latest(today) + datetime.timedelta(days=1))
    assert dates.birth_date_error(today) is None
    assert dates.birth_date_error(dates.earliest_birth_date(today)) is None
    assert dates.birth_date_error(today + datetime.timedelta(days=1))
    assert dates.birth_date_error(datetime.date(1, 1, 1))
    assert dates.years_from(datetime.date(2024, 2, 29), 30) == datetime.date(2054, 2, 28)


def test_add_months_never_fails():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(9999, 12, 1), 1) == datetime.date.max
    assert add_months(datetime.date(1, 1, 1), -1) == datetime.date.min
    latest = dates.latest()
    assert add_months(latest, 32767) > latest  # the longest duration a quota may say


@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999])
def test_the_agreement_form_refuses_a_far_date(client, login, demo, day):
    login("anvt-manager")
    cnpv = Agency.objects.get(acronym="CNPV")
    data = agreement_form(quotas=[("2019", "ab", 3)], party_b=cnpv.pk, start_date="2019-10-01")
    data["end_date" if day == YEAR_9999 else "start_date"] = day
    response = client.post(reverse("exchanges:create"), data)
    assert response.status_code == 200
    assert RANGE in response.content.decode()
    assert not Agreement.objects.filter(reference="VIR-TG-ML-2019").exists()


def test_the_agreement_service_refuses_a_far_date(demo):
    ml = Agreement.objects.get(reference="VIR-TG-ML-2017")
    agreement = Agreement(
        reference="VIR-FAR",
        title="Loin",
        party_a=ml.party_a,
        party_b=ml.party_b,
        start_date=datetime.date(1, 1, 1),
        end_date=datetime.date(9999, 12, 31),
    )
    with pytest.raises(DomainError) as refused:
        agreement_create(agreement=agreement, themes=[], quotas=[], user=None)
    assert "comprise entre" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"birth_date": YEAR_9999}, "Une date de naissance ne peut pas être dans le futur."),
        ({"birth_date": YEAR_1}, "Saisissez une date de naissance des 100 dernières années."),
    ],
)
def test_the_volunteer_form_refuses_a_far_birth_date(client, login, demo, fields, message):
    login("anvt-officer")
    response = client.post(reverse("volunteers:create"), volunteer_form(**fields))
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [message]


@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999])
def test_the_volunteer_form_refuses_a_far_experience_date(client, login, demo, day):
    login("anvt-officer")
    period = [{"organisation": "Scouts", "start": day, "end": ""}]
    response = client.post(reverse("volunteers:create"), volunteer_form(period))
    assert response.status_code == 200
    assert RANGE in response.content.decode()
    assert not Volunteer.objects.filter(email="essowe.ntcha@example.org").exists()


@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999])
def test_eligibility_dates_far_away_are_refused_not_a_500(client, login, demo, day):
    login("anvt-officer")
    volunteer = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("pk").first()
    detail = client.get(reverse("volunteers:detail", args=[volunteer.pk]), {"on": day})
    assert detail.status_code == 200
    assert RANGE in detail.content.decode()
    listing = client.get(reverse("volunteers:index"), {"eligible_on": day})
    assert listing.status_code == 200


def _mission_post(mission, **overrides):
    data = {k: v for k, v in model_to_dict(mission).items() if v is not None}
    data.update(overrides)
    return data


@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999])
def test_the_mission_form_refuses_a_far_date(client, login, demo, day):
    login("anvt-manager")
    mission = Mission.objects.get(title="Prévention et santé communautaire à Bè")
    data = _mission_post(mission, start_date=day, end_date=YEAR_9999)
    response = client.post(reverse("missions:edit", args=[mission.pk]), data)
    assert response.status_code == 200
    assert RANGE in response.content.decode()
    mission.refresh_from_db()
    assert mission.start_date.year == 2017


def test_the_mission_rules_refuse_a_far_date_before_computing_a_duration(demo):
    mission = Mission.objects.get(title="Prévention et santé communautaire à Bè")
    with pytest.raises(DomainError) as refused:
        mission_services.check_mission(
            quota=mission.quota,
            host_structure=mission.host_structure,
            theme=mission.theme,
            start=datetime.date(9999, 1, 1),
            end=datetime.date(9999, 12, 31),
        )
    assert refused.value.field == "start_date"


@pytest.mark.parametrize(("step", "status", "field"), [
    ("deploy", Placement.Status.CONFIRMED, "departure_date"),
    ("complete", Placement.Status.DEPLOYED, "return_date"),
])  # fmt: skip
@pytest.mark.parametrize("day", [YEAR_1, YEAR_9999])
def test_departure_and_return_far_away_are_refused(client, login, demo, step, status, field, day):
    placement = Placement.objects.filter(status=Placement.Status.COMPLETED).order_by("pk").first()
    Placement.objects.filter(pk=placement.pk).update(status=status)
    login("anvt-manager")
    response = client.post(reverse(f"missions:{step}", args=[placement.pk]), {field: day})
    assert response.status_code == 200  # the mission page, the error on the date typed
    page = response.content.decode()
    assert RANGE in page
    placement.refresh_from_db()
    assert placement.status == status


def test_the_placement_services_refuse_far_dates(demo):
    """Year 9999 + 12 months was ``ValueError: year 10000`` (the follow-ups' due dates)."""
    placement = Placement.objects.filter(status=Placement.Status.COMPLETED).order_by("pk").first()
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.DEPLOYED)
    with pytest.raises(DomainError) as refused:
        mission_services.placement_complete(
            placement=placement, user=None, return_date=datetime.date(9999, 12, 31)
        )
    assert refused.value.field == "return_date"
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.CONFIRMED)
    with pytest.raises(DomainError):
        mission_services.placement_deploy(
            placement=placement, user=None, departure_date=datetime.date(1, 1, 1)
        )


@pytest.mark.parametrize("field", ["period_start", "visit_end", "findings-1-due_date"])
def test_the_evaluation_form_refuses_a_far_date(client, login, demo, field):
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    login("anvt-evaluator")
    before = Evaluation.objects.count()
    data = evaluation_form(pilot, **{field: YEAR_9999})
    if field == "visit_end":
        data["visit_start"] = "2018-01-10"
    response = client.post(reverse("evaluations:create"), data)
    assert response.status_code == 200
    assert RANGE in response.content.decode()
    assert Evaluation.objects.count() == before


def test_the_import_reports_far_dates_on_their_rows(demo):
    anvt = Agency.objects.get(acronym="ANVT")
    rows = [good_row(i) for i in range(3)]
    rows[0][3] = "31/12/9999"  # born in the future
    rows[1][9] = "01/01/0001"  # experience in year 1
    rows[2][10] = "31/12/9999"
    job, _ = submit(anvt, csv_file(EN, rows))
    assert job.status == "failed"
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, "birth_date"), (3, "experience_1_start"), (4, "experience_1_end")}


def test_the_quota_report_form_refuses_a_far_cohort_year(client, login, demo):
    login("anvt-manager")
    response = client.post(
        reverse("exchanges:quota_report"),
        {"scope": "agency", "file_format": "csv", "language": "fr", "first_year": "9999",
         "threshold": "2", "delimiter": ","},
    )  # fmt: skip
    assert response.status_code == 302
    assert "Saisissez une année comprise entre" in client.get(response.url).content.decode()
