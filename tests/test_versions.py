"""Data versions and the pages cached under them (core.versions)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import versions
from tests.factories import AgencyFactory, ExperienceFactory, MembershipFactory, VolunteerFactory
from volunteers import services
from volunteers.models import Volunteer

URL = reverse("volunteers:index")


def _get(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    # The CSRF token is masked anew on every response; the rest must be the same.
    html = re.sub(
        r'CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode()
    )
    return html, len(ctx.captured_queries)


@pytest.mark.real_versions
def test_a_version_is_raised_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    before = versions.current((versions.VOLUNTEERS, versions.EXCHANGES), [agency.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        VolunteerFactory(sending_agency=agency)
        assert versions.current((versions.VOLUNTEERS, versions.EXCHANGES), [agency.pk]) == before
    assert callbacks
    after = versions.current((versions.VOLUNTEERS, versions.EXCHANGES), [agency.pk])
    # (volunteers@all, volunteers@agency, exchanges@all, exchanges@agency)
    assert after[1] > before[1] and after[2:] == before[2:]


def test_the_volunteer_list_is_served_from_the_cache_until_the_register_changes(client, db):
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    volunteer = VolunteerFactory(sending_agency=membership.agency, last_name="Adjoa")
    first, rendered = _get(client)
    second, cached = _get(client)
    assert first == second and "ADJOA" in second
    assert cached < rendered and cached <= 3  # user, memberships, data version

    volunteer.last_name = "Akossiwa"
    volunteer.save()
    assert "AKOSSIWA" in _get(client)[0]

    volunteer.delete()
    assert "AKOSSIWA" not in _get(client)[0]


def test_the_cached_list_follows_eligibility_and_bulk_changes(client, db):
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    on = {"eligible_on": "2025-10-01"}
    volunteer = VolunteerFactory(
        sending_agency=membership.agency, last_name="Edem", birth_date=datetime.date(2003, 1, 1)
    )
    assert "EDEM" not in _get(client, on)[0]  # no experience yet
    ExperienceFactory(
        volunteer=volunteer, start=datetime.date(2020, 1, 1), end=datetime.date(2023, 1, 1)
    )
    assert "EDEM" in _get(client, on)[0]
    # A bulk write (no signal) raises the version itself.
    Volunteer.objects.filter(pk=volunteer.pk).update(last_name="Enyonam")
    services.experience_spans_refresh(volunteer_ids=[volunteer.pk])
    assert "ENYONAM" in _get(client, on)[0]


def test_the_cached_list_is_per_user_and_follows_their_roles(client, db):
    reader = MembershipFactory(role="reader")
    other = MembershipFactory(role="officer")
    VolunteerFactory(sending_agency=reader.agency, last_name="Kodjo")
    VolunteerFactory(sending_agency=other.agency, last_name="Mawuli")
    client.force_login(reader.user)
    html = _get(client)[0]
    assert "KODJO" in html and "MAWULI" not in html
    assert reverse("volunteers:create") not in html
    client.force_login(other.user)
    html = _get(client)[0]
    assert "MAWULI" in html and "KODJO" not in html
    # A new role shows at once: the key holds the user's roles.
    reader.role = "officer"
    reader.save()
    client.force_login(reader.user)
    assert reverse("volunteers:create") in _get(client)[0]


def test_page_cache_off_renders_every_request(client, db, settings):
    settings.PAGE_CACHE = False
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    VolunteerFactory(sending_agency=membership.agency)
    _get(client)
    _, first = _get(client)
    _, second = _get(client)
    assert first == second > 3


def test_the_cached_home_page_follows_every_kind_of_data(client, db):
    from reports.models import Report

    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    home = reverse("home")
    first = client.get(home).content.decode()
    assert "Aucun rapport pour l’instant." in first
    report = Report.objects.create(
        kind=Report.Kind.QUOTA, format="csv", language="fr", agency=membership.agency
    )
    assert (
        f'href="{reverse("reports:detail", args=[report.pk])}"' in client.get(home).content.decode()
    )
    VolunteerFactory(sending_agency=membership.agency, status="candidate")
    assert "Candidat" in client.get(home).content.decode()  # the volunteers by status


def test_a_change_in_one_agency_keeps_the_other_agencies_pages_cached(client, db):
    mine = MembershipFactory(role="officer")
    theirs = MembershipFactory(role="officer")
    VolunteerFactory(sending_agency=mine.agency, last_name="Afi")
    client.force_login(mine.user)
    _, rendered = _get(client)
    VolunteerFactory(sending_agency=theirs.agency, last_name="Boubacar")  # elsewhere
    _, served = _get(client)
    assert served < rendered and served <= 3  # still from the cache
    VolunteerFactory(sending_agency=mine.agency, last_name="Comlan")  # here
    html, again = _get(client)
    assert again == rendered and "COMLAN" in html
    # An administrator's list shows every agency: any change renders it again.
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    _get(client)
    VolunteerFactory(sending_agency=theirs.agency, last_name="Dramane")
    assert "DRAMANE" in _get(client)[0]
    # What every agency shows (a theme, an agency's acronym) renders every page again.
    client.force_login(mine.user)
    _, served = _get(client)
    theirs.agency.acronym = "XYZ"
    theirs.agency.save()
    assert _get(client)[1] == rendered


def test_the_cached_agreement_list_follows_the_agencys_exchanges(client, db):
    from exchanges.models import Quota
    from tests.factories import make_agreement

    mine = MembershipFactory(role="manager")
    agreement = make_agreement(party_a=mine.agency, reference="VIR-TG-ML-2031")
    others = AgencyFactory(), AgencyFactory()  # a new agency renders every page again
    client.force_login(mine.user)
    url = reverse("exchanges:index")

    def get():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        return html, len(ctx.captured_queries)

    html, rendered = get()
    assert "VIR-TG-ML-2031" in html and "4 / 2" in html
    make_agreement(party_a=others[0], party_b=others[1], reference="VIR-BF-EC-2031")
    assert get()[1] < rendered
    Quota.objects.filter(agreement=agreement, places=4).get().delete()  # a quota of ours
    html, again = get()
    assert again == rendered and "0 / 2" in html
