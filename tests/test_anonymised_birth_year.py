"""An anonymised volunteer keeps the year of birth only (walk 6, finding 5): the stored day and
month (1 July) are a stand-in, so no page, file or API answer shows them as a date, and no
eligibility verdict is decided on them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.services import placement_nominate
from tests.factories import (
    ExperienceFactory,
    VolunteerFactory,
    eligible_volunteer,
    make_mission,
    manager_of,
)
from tests.test_api import api, token_for
from volunteers import exporting
from volunteers.eligibility import evaluate
from volunteers.models import Volunteer
from volunteers.services import volunteer_anonymise, volunteer_personal_data

pytestmark = pytest.mark.django_db
BORN = datetime.date(2004, 2, 29)
PERIODS = [(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31))]  # 1,095 days


@pytest.mark.parametrize(
    ("on", "ages", "eligible", "codes"),
    [
        (datetime.date(2029, 6, 1), (24, 25), True, []),
        # 25 or 26 depending on the erased day: no verdict.
        (datetime.date(2030, 3, 1), (25, 26), None, ["age_undetermined"]),
        (datetime.date(2031, 1, 5), (26, 27), False, ["too_old"]),
        (datetime.date(2030, 12, 31), (26, 26), False, ["too_old"]),  # the year decides
        (datetime.date(2021, 6, 1), (16, 17), False, ["too_young", "not_enough_experience"]),
        (datetime.date(2022, 3, 1), (17, 18), False, ["age_undetermined", "not_enough_experience"]),
    ],
)
def test_with_the_year_only_the_age_rule_is_decided_when_both_ages_agree(on, ages, eligible, codes):
    verdict = evaluate(datetime.date(2004, 7, 1), PERIODS, on, year_only=True)
    assert (verdict.age, verdict.oldest_age) == ages
    assert verdict.eligible is eligible
    assert [r.code for r in verdict.reasons] == codes


def anonymised_volunteer():
    volunteer = VolunteerFactory(birth_date=BORN)
    for start, end in PERIODS:
        ExperienceFactory(volunteer=volunteer, start=start, end=end)
    return volunteer_anonymise(volunteer=volunteer, user=None)


def test_the_volunteer_page_shows_the_year_and_no_verdict_decided_by_the_erased_day(client):
    volunteer = anonymised_volunteer()
    client.force_login(manager_of(volunteer.sending_agency))
    page = client.get(f"/volunteers/{volunteer.pk}/?on=2030-03-01").content.decode()
    assert "Année de naissance" in page and "2004" in page
    assert "01/07/2004" not in page and "Date de naissance" not in page
    assert "Âge : 25 ou 26 ans." in page
    assert "Indéterminée" in page and "Éligible" not in page
    assert "age_undetermined" not in page and "jour de naissance" in page
    # Where both ages allowed by the year agree, the verdict is given.
    page = client.get(f"/volunteers/{volunteer.pk}/?on=2029-06-01").content.decode()
    assert "Âge : 24 ou 25 ans." in page and ">Éligible<" in page


def test_the_host_reads_an_age_from_the_year_on_the_nominee_page(client):
    mission = make_mission(start=datetime.date(2018, 1, 1))
    volunteer = eligible_volunteer(mission.quota.sending)  # born 1 January 1996
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    volunteer_anonymise(volunteer=volunteer, user=None)
    client.force_login(manager_of(mission.quota.receiving))
    page = client.get(f"/missions/placements/{placement.pk}/nominee/").content.decode()
    assert "21 ou 22 ans le 01/01/2018" in page
    # Both ages pass the rule (18 to 25): the year is enough to decide.
    assert "Âge : 21 ou 22 ans." in page and ">Éligible<" in page


def test_files_and_the_api_give_the_year_only():
    volunteer = anonymised_volunteer()
    assert volunteer_personal_data(volunteer=volunteer, user=None)["birth_date"] == "2004"
    header, row = exporting.export_rows(Volunteer.objects.filter(pk=volunteer.pk), "fr")
    assert row[header.index("date_de_naissance")] == 2004

    _, secret = token_for(volunteer.sending_agency)
    client = api(secret)
    detail = client.get(f"/api/v1/volunteers/{volunteer.pk}/").json()
    assert (detail["birth_date"], detail["birth_year"]) == (None, 2004)
    [listed] = client.get("/api/v1/volunteers/").json()["results"]
    assert (listed["birth_date"], listed["birth_year"]) == (None, 2004)
    verdict = client.get(f"/api/v1/volunteers/{volunteer.pk}/eligibility/?on=2030-03-01").json()
    assert (verdict["eligible"], verdict["age"], verdict["oldest_age"]) == (None, 25, 26)
    assert [r["code"] for r in verdict["reasons"]] == ["age_undetermined"]


def test_a_volunteer_not_anonymised_keeps_the_date(client):
    volunteer = VolunteerFactory(birth_date=BORN)
    client.force_login(manager_of(volunteer.sending_agency))
    page = client.get(f"/volunteers/{volunteer.pk}/?on=2030-03-01").content.decode()
    assert "29/02/2004" in page and "Année de naissance" not in page and "Âge : 26 ans." in page
    _, secret = token_for(volunteer.sending_agency)
    detail = api(secret).get(f"/api/v1/volunteers/{volunteer.pk}/").json()
    assert (detail["birth_date"], detail["birth_year"]) == ("2004-02-29", 2004)


def test_the_list_gives_both_ages_and_no_verdict_the_year_cannot_decide(client, monkeypatch):
    """The volunteer list read the stand-in day as a birth date: "26" and "Not eligible" for
    someone aged 25 or 26, and the "eligible on" and age filters kept or dropped them by it."""
    volunteer = anonymised_volunteer()  # born in 2004, 1,095 days of experience
    client.force_login(manager_of(volunteer.sending_agency))

    def row(query: str = "", today: datetime.date | None = None) -> str:
        if today is not None:  # the list's ages and badges are on the day it is read
            monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
        page = client.get(f"/volunteers/?{query}").content.decode()
        start = page.find(f'href="/volunteers/{volunteer.pk}/"')
        return page[start : page.find("</tr>", start)] if start >= 0 else ""

    undecided = row(today=datetime.date(2030, 3, 1))  # 25 or 26: the maximum age is 25
    assert ">25 ou 26<" in undecided and "Indéterminée" in undecided
    assert "Éligible" not in undecided and "Non éligible" not in undecided
    assert not row("eligible_on=2030-03-01")  # not among those eligible that day
    assert row("age_min=25&age_max=26") and not row("age_min=26") and not row("age_max=25")
    decided = row(today=datetime.date(2029, 6, 1))  # 24 or 25: both pass
    assert ">24 ou 25<" in decided and ">Éligible<" in decided
    assert row("eligible_on=2029-06-01") and row("age_max=25")


def test_the_admin_gives_the_year_and_offers_no_date_to_edit(admin_client):
    volunteer = anonymised_volunteer()
    known = VolunteerFactory(birth_date=BORN, sending_agency=volunteer.sending_agency)
    listing = admin_client.get(reverse("admin:volunteers_volunteer_changelist")).content.decode()
    assert '<td class="field-born">2004</td>' in listing
    assert '<td class="field-born">29/02/2004</td>' in listing  # the other volunteer's date
    assert "01/07/2004" not in listing and "1 juillet 2004" not in listing
    response = admin_client.get(reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]))
    assert "birth_date" not in response.context["adminform"].form.fields
    page = response.content.decode()
    assert "Année de naissance" in page and "2004" in page and "01/07/2004" not in page
    other = admin_client.get(reverse("admin:volunteers_volunteer_change", args=[known.pk]))
    assert "birth_date" in other.context["adminform"].form.fields
