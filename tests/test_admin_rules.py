"""The admin writes what the services would: a row the app refuses is refused in the admin too,
in words on its field, not saved, and never a server error (found by an exploratory walk)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Agency
from evaluations.models import Evaluation, Finding
from exchanges.models import Quota
from missions.models import Mission

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
