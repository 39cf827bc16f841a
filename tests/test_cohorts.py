"""Cohorts are years: an integer within the agreement's period (form and service), migrated
from the free text of before; a mission starts in its cohort's year, within the agreement."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from exchanges.models import Agreement
from exchanges.services import QuotaData
from missions.models import Mission
from missions.services import check_mission, placement_nominate
from tests.factories import (
    HostStructureFactory,
    ThemeFactory,
    approved_agreement,
    eligible_volunteer,
    make_agreement,
    make_mission,
)
from tests.migrating import migrate_to, migrate_to_the_end

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


# --- The agreement's quotas ---------------------------------------------------------------


def _agreement_form(party_b, cohort, **overrides):
    data = {
        "reference": "vir-tg-ml-2027",
        "title": "Troisième promotion Togo–Mali",
        "start_date": "2027-01-01",
        "end_date": "2029-12-31",
        "min_age": 18,
        "max_age": 25,
        "min_experience_days": 730,
        "min_duration_months": 6,
        "max_duration_months": 12,
        "imbalance_threshold": 2,
        "language_requirements": "",
        "notes": "",
        "party_b": party_b,
        "quotas-TOTAL_FORMS": 1,
        "quotas-INITIAL_FORMS": 0,
        "quotas-MIN_NUM_FORMS": 0,
        "quotas-MAX_NUM_FORMS": 1000,
        "quotas-0-cohort": cohort,
        "quotas-0-direction": "ab",
        "quotas-0-places": 2,
        "quotas-0-duration_months": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("cohort", "error"),
    [
        ("1999", "La promotion 1999 n’est pas une année de l’accord (2027–2029)."),
        ("2030", "La promotion 2030 n’est pas une année de l’accord (2027–2029)."),
        ("foo bar", "Saisissez un nombre entier."),
        ("2027-B", "Saisissez un nombre entier."),
    ],
)
def test_the_agreement_form_takes_a_year_of_the_agreement_as_cohort(
    client, login, demo, cohort, error
):
    login("anvt-manager")
    cnpv = Agreement.objects.get(reference="VIR-TG-ML-2017").party_b
    response = client.post(reverse("exchanges:create"), _agreement_form(cnpv.pk, cohort))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Agreement.objects.filter(reference="VIR-TG-ML-2027").exists()


def test_the_agreement_form_saves_a_year_of_the_agreement(client, login, demo):
    login("anvt-manager")
    cnpv = Agreement.objects.get(reference="VIR-TG-ML-2017").party_b
    response = client.post(reverse("exchanges:create"), _agreement_form(cnpv.pk, "2028"))
    assert response.status_code == 302
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2027")
    assert list(agreement.quotas.values_list("cohort", flat=True)) == [2028]


def test_the_service_refuses_a_cohort_outside_the_agreement():
    with pytest.raises(DomainError) as exc:
        make_agreement(quotas=[(2016, "ab", 2)])  # the agreement runs from 2017 to 2030
    assert exc.value.message == "La promotion 2016 n’est pas une année de l’accord (2017–2030)."


def test_shortening_the_agreement_cannot_leave_a_cohort_outside_it():
    from exchanges.services import agreement_update
    from tests.factories import current_quotas

    agreement = make_agreement(quotas=[(2017, "ab", 2), (2025, "ab", 1)])
    agreement.end_date = datetime.date(2020, 12, 31)
    with pytest.raises(DomainError) as exc:
        agreement_update(
            agreement=agreement, themes=[], quotas=current_quotas(agreement), user=None
        )
    assert exc.value.message == "La promotion 2025 n’est pas une année de l’accord (2017–2020)."


def test_a_cohort_is_not_text_for_the_service():
    agreement = make_agreement()
    with pytest.raises(DomainError):
        from exchanges.services import agreement_update

        agreement_update(
            agreement=agreement,
            themes=[],
            quotas=[QuotaData("foo", agreement.party_a_id, agreement.party_b_id, 1)],
            user=None,
        )


# --- Missions in their cohort's year ------------------------------------------------------


def test_a_mission_starts_in_its_cohorts_year():
    agreement = approved_agreement(quotas=[(2018, "ab", 2)])
    quota = agreement.quotas.get()
    with pytest.raises(DomainError) as exc:
        check_mission(
            quota=quota,
            host_structure=HostStructureFactory(agency=quota.receiving),
            theme=ThemeFactory(),
            start=datetime.date(2019, 1, 2),
            end=datetime.date(2019, 9, 30),
        )
    assert exc.value.message == (
        "Une mission de la promotion 2018 commence en 2018, pas le 02/01/2019."
    )
    assert exc.value.field == "start_date"
    # Starting late in the year, it runs into the next one.
    assert make_mission(quota=quota, places=2, start=datetime.date(2018, 11, 1), months=10).pk


def test_a_mission_outside_its_cohort_takes_no_nomination():
    """A mission saved before cohorts were years (its start in another year) is refused at
    nomination, with the rule."""
    mission = make_mission(start=datetime.date(2018, 3, 1))
    Mission.objects.filter(pk=mission.pk).update(
        start_date=datetime.date(2019, 3, 1), end_date=datetime.date(2019, 10, 31)
    )
    mission.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        placement_nominate(
            mission=mission, volunteer=eligible_volunteer(mission.quota.sending), user=None
        )
    assert "Une mission de la promotion 2018 commence en 2018" in exc.value.message


def test_the_mission_form_shows_the_cohort_year_on_the_start_date(client, login, demo):
    login("cnpv-officer")
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    next_year = datetime.date.today().year + 1
    quota = agreement.quotas.get(cohort=next_year, sending__acronym="ANVT")
    data = {
        "quota": quota.pk,
        "host_structure": quota.receiving.host_structures.first().pk,
        "title": "Appui aux écoles de Sikasso",
        "theme": agreement.themes.first().pk,
        "city": "Sikasso",
        "start_date": f"{next_year + 1}-02-01",
        "end_date": f"{next_year + 1}-10-31",
        "places": 1,
        "status": "open",
    }
    response = client.post(reverse("missions:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["start_date"] == [
        f"Une mission de la promotion {next_year} commence en {next_year}, "
        f"pas le 01/02/{next_year + 1}."
    ]
    data.update(start_date=f"{next_year}-02-01", end_date=f"{next_year}-10-31")
    assert client.post(reverse("missions:create"), data).status_code == 302


# --- The migration from text --------------------------------------------------------------

BEFORE = [
    ("exchanges", "0010_min_experience_in_days"),
    ("missions", "0009_dates_in_a_plausible_range"),
]
AFTER = [("exchanges", "0012_quota_cohort_is_a_year")]


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_the_end()


def test_text_cohorts_become_years(old_schema, capsys):
    apps = old_schema
    Agency = apps.get_model("agencies", "Agency")
    Agreement_ = apps.get_model("exchanges", "Agreement")
    Quota = apps.get_model("exchanges", "Quota")
    HostStructure = apps.get_model("agencies", "HostStructure")
    Theme = apps.get_model("agencies", "Theme")
    Mission_ = apps.get_model("missions", "Mission")
    a = Agency.objects.create(name="ANVT", acronym="ANVT", country="TG", kind="other")
    b = Agency.objects.create(name="CNPV", acronym="CNPV", country="ML", kind="other")
    agreement = Agreement_.objects.create(
        reference="VIR-1",
        title="t",
        party_a=a,
        party_b=b,
        start_date=datetime.date(2027, 1, 1),
        end_date=datetime.date(2029, 12, 31),
    )

    def quota(cohort, sending, receiving, places):
        return Quota.objects.create(
            agreement=agreement,
            cohort=cohort,
            sending=sending,
            receiving=receiving,
            places=places,
            approved_places=places,
        )

    kept = quota("2028", a, b, 4)
    named = quota("2028-B", a, b, 2)  # merges into 2028
    junk = quota("foo bar", a, b, 1)  # → 2027, the agreement's start year
    far = quota("1999", b, a, 3)  # → 2027 too, in the other direction
    structure = HostStructure.objects.create(agency=b, name="École", kind="school", city="Bamako")
    theme = Theme.objects.create(code="t", name="t")
    mission = Mission_.objects.create(
        quota=named,
        host_structure=structure,
        title="m",
        theme=theme,
        city="Bamako",
        start_date=datetime.date(2028, 2, 1),
        end_date=datetime.date(2028, 10, 31),
    )

    apps = migrate_to(AFTER)
    Quota = apps.get_model("exchanges", "Quota")
    rows = {
        q.pk: (q.cohort, q.sending_id, q.places, q.approved_places) for q in Quota.objects.all()
    }
    assert rows == {
        kept.pk: (2028, a.pk, 6, 6),
        junk.pk: (2027, a.pk, 1, 1),
        far.pk: (2027, b.pk, 3, 3),
    }
    assert apps.get_model("missions", "Mission").objects.get(pk=mission.pk).quota_id == kept.pk
    said = capsys.readouterr().out
    assert "'foo bar' → 2027 (the agreement's start year)" in said
    assert "'1999' → 2027 (the agreement's start year)" in said
    assert f"quota {named.pk} merged into quota {kept.pk}" in said
