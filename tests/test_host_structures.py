import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, HostStructure, Membership
from tests.factories import HostStructureFactory, MembershipFactory, ThemeFactory

VALID = {
    "name": "Association Lumière d’Aného",
    "kind": "association",
    "city": "Aného",
    "country": "TG",
    "contact_person": "Kossi Améga",
    "email": "contact@lumiere-aneho.tg",
    "phone": "+228 90 00 00 00",
    "is_active": "on",
}


def test_an_outsider_cannot_open_any_host_structure_of_anvt_by_changing_the_number(
    client, login, demo
):
    login("vase-officer")
    structures = HostStructure.objects.filter(agency__acronym="ANVT")
    assert structures.exists()
    for structure in structures:
        for name in ["agencies:hoststructure_detail", "agencies:hoststructure_edit"]:
            assert client.get(reverse(name, args=[structure.pk])).status_code == 404
    listed = client.get(reverse("agencies:hoststructure_list")).content.decode()
    assert not any(s.name in listed for s in structures)


def test_a_partner_member_cannot_edit_a_host_structure(client, login, demo):
    login("anvt-partner")
    structure = HostStructure.objects.filter(agency__acronym="ANVT").first()
    url = reverse("agencies:hoststructure_edit", args=[structure.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**VALID, "name": "Changé"}).status_code == 403
    structure.refresh_from_db()
    assert structure.name != "Changé"
    detail = client.get(reverse("agencies:hoststructure_detail", args=[structure.pk]))
    assert detail.status_code == 200
    assert (
        reverse("agencies:hoststructure_edit", args=[structure.pk]) not in detail.content.decode()
    )


def test_an_officer_creates_a_host_structure_for_their_agency(client, login, demo):
    login("anvt-officer")
    theme = ThemeFactory(code="health")
    response = client.post(
        reverse("agencies:hoststructure_create"), {**VALID, "themes": [theme.pk]}
    )
    structure = HostStructure.objects.get(name=VALID["name"])
    assert response.status_code == 302
    assert response.url == reverse("agencies:hoststructure_detail", args=[structure.pk])
    assert structure.agency.acronym == "ANVT"
    assert list(structure.themes.all()) == [theme]


def test_the_form_explains_what_is_wrong_in_french(client, login, demo):
    login("anvt-officer")
    before = HostStructure.objects.count()
    response = client.post(
        reverse("agencies:hoststructure_create"),
        {**VALID, "email": "pas-une-adresse", "phone": "appelez-moi", "kind": "nonsense"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez une adresse e-mail valide" in page
    assert "Saisissez un numéro de téléphone" in page
    assert "Sélectionnez un choix valide" in page
    assert HostStructure.objects.count() == before


def test_a_duplicate_name_in_the_same_city_is_refused(client, login, demo):
    login("anvt-officer")
    existing = HostStructure.objects.filter(agency__acronym="ANVT").first()
    response = client.post(
        reverse("agencies:hoststructure_create"),
        {**VALID, "name": existing.name.upper(), "city": existing.city},
    )
    assert response.status_code == 200
    assert "déjà une structure d’accueil de ce nom" in response.content.decode()


def test_a_host_structure_is_in_its_agencys_country(client, login, demo):
    """The form shows the agency's country and takes no other (a structure of ANVT sent as in
    Mali is saved in Togo); the service refuses another one, whoever calls it."""
    from agencies.forms import HostStructureForm
    from agencies.services import host_structure_save
    from core.errors import DomainError

    login("anvt-officer")
    url = reverse("agencies:hoststructure_create")
    assert (
        'name="country" disabled'
        in client.get(url).content.decode().replace('class="form-select" ', "")
        or "disabled" in client.get(url).content.decode().split('name="country"')[1][:120]
    )
    assert client.post(url, {**VALID, "city": "Sokodé", "country": "ML"}).status_code == 302
    assert HostStructure.objects.get(name=VALID["name"]).country == "TG"
    anvt = Agency.objects.get(acronym="ANVT")
    form = HostStructureForm({**VALID, "name": "Autre", "city": "Kara"}, agency=anvt)
    assert form.is_valid()
    form.instance.country = "ML"
    with pytest.raises(DomainError, match="Togo"):
        host_structure_save(form=form)


def test_a_manager_edits_and_the_change_is_recorded_with_its_author(client, login, demo):
    user = login("anvt-manager")
    structure = HostStructure.objects.filter(agency__acronym="ANVT").first()
    response = client.post(
        reverse("agencies:hoststructure_edit", args=[structure.pk]),
        {**VALID, "name": "Nouveau nom", "city": structure.city},
    )
    assert response.status_code == 302
    latest = structure.history.first()
    assert latest.name == "Nouveau nom"
    assert latest.history_user == user


def test_members_are_listed_for_managers_only(client, login, demo):
    anvt = Agency.objects.get(acronym="ANVT")
    url = reverse("agencies:detail", args=[anvt.pk])
    login("anvt-manager")
    assert 'data-testid="members"' in client.get(url).content.decode()
    login("anvt-officer")
    assert 'data-testid="members"' not in client.get(url).content.decode()
    login("cnpv-manager")
    assert 'data-testid="members"' not in client.get(url).content.decode()


def test_the_agency_switcher_changes_the_acting_agency(client, demo):
    membership = Membership.objects.get(user__username="anvt-officer")
    cnpv = Agency.objects.get(acronym="CNPV")
    MembershipFactory(user=membership.user, agency=cnpv, role="manager")
    client.force_login(membership.user)
    assert "ANVT · " in client.get(reverse("home")).content.decode()
    client.post(reverse("agencies:switch"), {"agency": cnpv.pk, "next": "/"})
    response = client.get(reverse("home"))
    assert response.context["acting_membership"].agency == cnpv
    vase = Agency.objects.get(acronym="VASE")
    client.post(reverse("agencies:switch"), {"agency": vase.pk, "next": "/"})
    assert client.get(reverse("home")).context["acting_membership"].agency == cnpv


def test_the_switcher_refuses_an_outside_redirect(client, login, demo):
    login("anvt-officer")
    response = client.post(
        reverse("agencies:switch"), {"agency": "", "next": "https://evil.example"}
    )
    assert response.url == reverse("home")


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["agencies:hoststructure_list", "agencies:detail"])
def test_pages_issue_the_same_number_of_queries_for_3_and_30_structures(db, client, url_name):
    membership = MembershipFactory(role="manager")
    agency = membership.agency
    themes = [ThemeFactory(), ThemeFactory()]
    url = reverse(url_name, args=[agency.pk] if url_name == "agencies:detail" else [])
    client.force_login(membership.user)

    def grow_to(n):
        while agency.host_structures.count() < n:
            HostStructureFactory(agency=agency).themes.set(themes)
            MembershipFactory(agency=agency)

    grow_to(3)
    small = _count_queries(client, url)
    grow_to(30)
    large = _count_queries(client, url)
    assert small == large
    assert large <= 12


def test_the_admin_lists_each_model_with_history(client, login, demo):
    login("admin")
    structure = HostStructure.objects.first()
    for url in [
        reverse("admin:agencies_agency_changelist"),
        reverse("admin:agencies_hoststructure_changelist") + "?q=Lomé",
        reverse("admin:agencies_membership_changelist"),
        reverse("admin:agencies_hoststructure_history", args=[structure.pk]),
        reverse("admin:auth_user_change", args=[Membership.objects.first().user_id]),
    ]:
        assert client.get(url).status_code == 200, url


def test_staff_without_permissions_see_nothing_in_the_admin(client, db):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:agencies_agency_changelist")).status_code == 403
