"""The admin writes what the services would: a row the app refuses is refused in the admin too,
in words on its field, not saved, and never a server error (found by an exploratory walk)."""

from __future__ import annotations

import pytest
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from agencies.models import Agency, HostStructure
from evaluations.models import Evaluation, Finding
from exchanges.models import Quota
from missions.models import Mission, Placement
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The values of the admin page's form (and of its inlines' forms), as a browser posts them."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = [v for v in value if v is not None]
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def post_changed(client, url, **changes):
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_a_mission_is_not_moved_to_a_quota_of_another_host_agency(client, login, demo):
    """The host structure belongs to the quota's host agency: moved under a quota hosted by
    another agency, the mission would be seen and edited by that agency, not its own."""
    login("admin")
    mission = Mission.objects.filter(receiving__acronym="CNPV", placements__isnull=True).first()
    other = Quota.objects.exclude(receiving=mission.receiving).order_by("pk").first()
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    response = post_changed(client, url, quota=other.pk)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert other.receiving.acronym in str(errors["host_structure"])
    mission.refresh_from_db()
    assert mission.quota_id != other.pk
    # Its own agency's quota (and the rest of the form as it is) saves.
    assert post_changed(client, url).status_code == 302


def test_a_recommendation_owner_who_is_not_a_party_is_refused_in_words(client, login, demo):
    login("admin")
    finding = Finding.objects.filter(kind=Finding.Kind.RECOMMENDATION).first()
    agreement = finding.evaluation.agreement
    outsider = Agency.objects.exclude(pk__in=[agreement.party_a_id, agreement.party_b_id]).first()
    url = reverse("admin:evaluations_finding_change", args=[finding.pk])
    response = post_changed(client, url, owner=outsider.pk)
    assert response.status_code == 200
    assert "partie" in str(response.context["adminform"].form.errors["owner"])
    finding.refresh_from_db()
    assert finding.owner_id != outsider.pk
    add = reverse("admin:evaluations_finding_add")
    data = form_data(client.get(url))
    data.update(owner=outsider.pk, text="Une autre recommandation.")
    response = client.post(add, data)
    assert response.status_code == 200
    assert not Finding.objects.filter(text="Une autre recommandation.").exists()


def test_an_inline_recommendation_owner_is_checked_and_the_agreement_stays(client, login, demo):
    """On an evaluation's page, the recommendations' owners are checked too; its agreement
    and agency are shown, not edited (its recommendations are owned by that agreement's
    parties)."""
    login("admin")
    evaluation = Evaluation.objects.filter(findings__kind="recommendation").first()
    agreement = evaluation.agreement
    outsider = Agency.objects.exclude(pk__in=[agreement.party_a_id, agreement.party_b_id]).first()
    url = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    page = client.get(url)
    fields = page.context["adminform"].form.fields
    assert "agreement" not in fields and "agency" not in fields
    data = form_data(page)
    owners = [name for name in data if name.startswith("findings-") and name.endswith("-owner")]
    assert owners
    data[owners[0]] = outsider.pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Finding.objects.filter(evaluation=evaluation, owner=outsider).exists()


def test_a_new_evaluation_in_the_admin_follows_the_services_rules(client, login, demo):
    login("admin")
    evaluation = Evaluation.objects.first()
    agreement = evaluation.agreement
    outsider = Agency.objects.exclude(pk__in=[agreement.party_a_id, agreement.party_b_id]).first()
    add = reverse("admin:evaluations_evaluation_add")
    data = form_data(client.get(add))
    data.update(
        agreement=agreement.pk,
        agency=outsider.pk,
        cohort="1990",
        title="Évaluation ajoutée",
        period_start="2017-10-01",
        period_end="2018-03-31",
        version=1,
        status="draft",
    )
    response = client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Evaluation.objects.filter(title="Évaluation ajoutée").exists()


def post_volunteer(client, url, **changes):
    """``post_changed`` for a volunteer's page: its experience proofs are files, not posted
    again (the admin keeps a stored file that is not sent)."""
    data = {k: v for k, v in form_data(client.get(url)).items() if not isinstance(v, FieldFile)}
    data.update(changes)
    return client.post(url, data)


def test_a_volunteer_with_placements_is_not_moved_to_another_agency(client, login, demo):
    """Every placement is under a quota sent by the volunteer's agency: moved, the volunteer
    would leave their placements to an agency that made none of them (walk 6, #9)."""
    login("admin")
    placement = Placement.objects.select_related("volunteer").first()
    volunteer = placement.volunteer
    other = Agency.objects.exclude(pk=volunteer.sending_agency_id).order_by("pk").first()
    url = reverse("admin:volunteers_volunteer_change", args=[volunteer.pk])
    response = post_volunteer(client, url, sending_agency=other.pk)
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["sending_agency"])
    assert volunteer.sending_agency.acronym in errors and "autre agence" in errors
    volunteer.refresh_from_db()
    assert volunteer.sending_agency_id != other.pk
    # A volunteer without placements may be moved (registered with the wrong agency, say).
    free = Volunteer.objects.filter(placements__isnull=True, anonymised_at__isnull=True).first()
    url = reverse("admin:volunteers_volunteer_change", args=[free.pk])
    other = Agency.objects.exclude(pk=free.sending_agency_id).order_by("pk").first()
    assert post_volunteer(client, url, sending_agency=other.pk).status_code == 302
    free.refresh_from_db()
    assert free.sending_agency_id == other.pk


def test_a_volunteer_status_is_not_typed_in_the_admin(client, login, demo):
    """The status follows the placements: the admin shows it, does not take it."""
    login("admin")
    volunteer = Volunteer.objects.filter(status="candidate").first()
    url = reverse("admin:volunteers_volunteer_change", args=[volunteer.pk])
    assert "status" not in client.get(url).context["adminform"].form.fields
    assert post_volunteer(client, url, status="deployed").status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == "candidate"


def test_a_host_structure_stays_in_its_agency_country_and_with_its_missions(client, login, demo):
    """As the app's form: a structure is in its managing agency's country; one that hosts
    missions stays with their host agency (walk 6, #10)."""
    login("admin")
    hosting = HostStructure.objects.filter(missions__isnull=False).distinct().first()
    elsewhere = Agency.objects.exclude(country=hosting.country).order_by("pk").first()
    url = reverse("admin:agencies_hoststructure_change", args=[hosting.pk])
    response = post_changed(client, url, agency=elsewhere.pk)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert elsewhere.acronym in str(errors["country"])
    # Even in the new agency's country: its missions' host agency is the old one.
    response = post_changed(client, url, agency=elsewhere.pk, country=elsewhere.country.code)
    assert response.status_code == 200
    assert hosting.agency.acronym in str(response.context["adminform"].form.errors["agency"])
    hosting.refresh_from_db()
    assert hosting.agency_id != elsewhere.pk
    # A structure without missions moves to another agency of its country.
    free = HostStructure.objects.create(
        agency=Agency.objects.get(acronym="FV"),
        name="Centre social de Lyon",
        kind="association",
        city="Lyon",
        country="FR",
    )
    asc = Agency.objects.get(acronym="ASC")
    url = reverse("admin:agencies_hoststructure_change", args=[free.pk])
    assert post_changed(client, url, agency=asc.pk).status_code == 302
    free.refresh_from_db()
    assert free.agency_id == asc.pk
