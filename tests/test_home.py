from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from dashboard import alerts
from tests.factories import MembershipFactory, UserFactory, VolunteerFactory, make_agreement
from volunteers.models import Volunteer


def _get(client, name="home", **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name), headers=headers)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_the_home_page_shows_where_the_exchanges_stand(client, login, demo):
    login("anvt-manager")
    response, _ = _get(client)
    page = response.content.decode()
    board = response.context["board"]
    assert board.agency.acronym == "ANVT"
    assert dict(board.volunteers_by_status)
    assert "Volontaires par statut" in page
    # The chart comes after the page, from its own address (a link without script).
    assert 'hx-get="/exchanges/"' in page and 'href="/exchanges/"' in page
    for headers in ({}, {"HX-Request": "true"}):
        response, _ = _get(client, "home_exchanges", **headers)
        assert 'data-testid="exchange-chart"' in response.content.decode()
        assert "CNPV 2017" in response.context["overview"].chart  # the 2017 cohort with CNPV
    assert "<html" not in response.content.decode()  # htmx gets the panel alone


def test_an_agreement_awaiting_approval_shows_for_the_partner_only_until_it_approves(
    client, login, demo
):
    from exchanges.services import agreement_approve, agreement_submit

    anvt, cnpv = Agency.objects.get(acronym="ANVT"), Agency.objects.get(acronym="CNPV")
    manager = login("anvt-manager")
    agreement = make_agreement(party_a=anvt, party_b=cnpv, author=manager, reference="VIR-X-1")
    agreement_submit(agreement=agreement, user=manager)
    agreement_approve(
        agreement=agreement,
        version_number=agreement.current_version.number,
        agency=anvt,
        user=manager,
    )
    assert agreement not in _get(client)[0].context["board"].approvals_awaited
    login("cnpv-manager")
    assert agreement in _get(client)[0].context["board"].approvals_awaited


def test_administrators_see_all_agencies(client, login, demo):
    login("admin")
    board = _get(client)[0].context["board"]
    assert board.agency is None
    assert sum(n for _, n in board.volunteers_by_status) > 300


def test_the_home_page_issues_a_bounded_number_of_queries(client, db):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    VolunteerFactory(sending_agency=membership.agency)
    _get(client)  # the session now comes from the cache
    _, small = _get(client)
    for _ in range(30):
        VolunteerFactory(sending_agency=membership.agency)
    _, large = _get(client)
    # The session, the user, the memberships, and one query per panel (departures and returns
    # in one, but in two on SQLite, which takes no LIMIT inside a UNION); the alerts and the
    # chart come after the page, each from its own address.
    split = not connection.features.supports_slicing_ordering_in_compound
    assert small == large <= 10 + split
    assert 'hx-get="/alerts/"' in _get(client)[0].content.decode()
    for name, most in (("alerts", 3 + alerts.MAX_QUERIES), ("home_exchanges", 3)):
        few = _get(client, name, **{"HX-Request": "true"})[1]
        VolunteerFactory.create_batch(5, sending_agency=membership.agency)
        assert few == _get(client, name, **{"HX-Request": "true"})[1] <= most


def test_the_aggregates_follow_every_change(client, db):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    VolunteerFactory(sending_agency=membership.agency, status="candidate")
    counts = dict(_get(client)[0].context["board"].volunteers_by_status)
    assert counts == {"Candidat": 1}
    volunteer = VolunteerFactory(sending_agency=membership.agency, status="candidate")
    assert dict(_get(client)[0].context["board"].volunteers_by_status) == {"Candidat": 2}
    volunteer.status = "selected"
    volunteer.save()
    assert dict(_get(client)[0].context["board"].volunteers_by_status) == {
        "Candidat": 1,
        "Sélectionné": 1,
    }


def test_a_bulk_update_shows_at_once(client, db):
    """No cache to expire: a change that sends no signal is seen by the next request."""
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    VolunteerFactory.create_batch(3, sending_agency=membership.agency, status="candidate")
    assert dict(_get(client)[0].context["board"].volunteers_by_status) == {"Candidat": 3}
    Volunteer.objects.filter(sending_agency=membership.agency).update(status="selected")
    assert dict(_get(client)[0].context["board"].volunteers_by_status) == {"Sélectionné": 3}


def test_a_funder_without_an_agency_lands_on_their_programmes(client, login, demo):
    """The programme's viewer (the funder) belongs to no agency by design: the home page leads
    to their programme, and neither says "All agencies" nor asks them to join one."""
    from programmes.models import Programme

    login("daect-viewer")
    page = client.get(reverse("home")).content.decode()
    programme = Programme.objects.get()
    assert "Vos programmes" in page and "Toutes les agences" not in page
    assert reverse("programmes:dashboard", args=[programme.pk]) in page
    assert "aucune agence" not in page
    client.force_login(UserFactory())  # nothing at all: asked to be added to an agency
    page = client.get(reverse("home")).content.decode()
    assert "aucune agence" in page and "Toutes les agences" not in page
