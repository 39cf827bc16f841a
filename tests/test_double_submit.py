"""A create form sent twice at once answers the form with its error, not a 500 (issue 16, point 5).

Two submissions at the same moment both pass the form's check that a reference (an e-mail, a
name) is free; the second insert then breaks the unique constraint. The race is simulated by
writing the other request's row between the check and the insert: the services then refuse with
the rule's message on its field (``core.integrity.refused_if_taken``), and the view shows it.
"""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from agencies.forms import HostStructureForm
from agencies.models import Agency, HostStructure
from core.errors import DomainError
from core.integrity import broken_unique_rule, refused_if_taken
from exchanges import services as agreement_services
from exchanges.models import Agreement
from tests.factories import HostStructureFactory, ThemeFactory
from tests.test_agreements import form_data as agreement_form
from tests.test_host_structures import VALID as HOST_STRUCTURE
from tests.test_volunteers import form_data as volunteer_form
from volunteers.forms import VolunteerForm
from volunteers.models import Volunteer

NEW = "VIR-TG-ML-2019"


def _agreement_sent_meanwhile(monkeypatch):
    """The other request's agreement is saved between the service's checks and its insert."""
    check_quotas = agreement_services._check_quotas

    def meanwhile(agreement, quotas):
        check_quotas(agreement, quotas)
        Agreement.objects.filter(reference="VIR-TG-ML-2017").update(reference=NEW)

    monkeypatch.setattr(agreement_services, "_check_quotas", meanwhile)


def test_an_agreement_sent_twice_at_once_answers_the_form_with_the_reference_taken(
    client, login, demo, monkeypatch
):
    login("anvt-manager")
    cnpv = Agency.objects.get(acronym="CNPV")
    before = Agreement.objects.count()
    _agreement_sent_meanwhile(monkeypatch)

    response = client.post(
        reverse("exchanges:create"), agreement_form(quotas=[("2019", "ab", 3)], party_b=cnpv.pk)
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reference"] == ["Un accord avec cette référence existe déjà."]
    assert "Un accord avec cette référence existe déjà." in response.content.decode()
    assert Agreement.objects.filter(reference=NEW).count() == 1
    assert Agreement.objects.count() == before  # the other one only (renamed), no new row


def test_the_service_refuses_a_reference_taken_between_its_check_and_its_insert(
    demo, monkeypatch
):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    copy = Agreement(
        reference=NEW,
        title="Copie",
        party_a=agreement.party_a,
        party_b=agreement.party_b,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
    )
    _agreement_sent_meanwhile(monkeypatch)
    with pytest.raises(DomainError) as refused:
        agreement_services.agreement_create(agreement=copy, themes=[], quotas=[], user=None)
    assert refused.value.field == "reference"
    assert Agreement.objects.filter(reference=NEW).count() == 1


def test_a_volunteer_sent_twice_at_once_answers_the_form_with_the_email_taken(
    client, login, demo, monkeypatch
):
    login("anvt-officer")
    data = volunteer_form()
    other = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("pk").first()
    save = VolunteerForm.save

    def meanwhile(form, *args, **kwargs):
        Volunteer.objects.filter(pk=other.pk).update(email=data["email"])
        return save(form, *args, **kwargs)

    monkeypatch.setattr(VolunteerForm, "save", meanwhile)
    before = Volunteer.objects.count()

    response = client.post(reverse("volunteers:create"), data)

    assert response.status_code == 200
    message = "Votre agence a déjà un volontaire avec cette adresse e-mail."
    assert response.context["form"].errors["email"] == [message]
    assert Volunteer.objects.count() == before
    assert Volunteer.objects.filter(email=data["email"]).count() == 1


def test_a_volunteer_registered_twice_at_once_answers_the_form_with_the_person_taken(
    client, login, demo, monkeypatch
):
    login("anvt-officer")
    data = volunteer_form(email="")
    save = VolunteerForm.save

    def meanwhile(form, *args, **kwargs):
        twin = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("pk").first()
        twin.pk, twin.id, twin.email = None, None, ""
        twin.first_name, twin.last_name = form.instance.first_name, form.instance.last_name
        twin.birth_date = form.instance.birth_date
        twin.save()
        return save(form, *args, **kwargs)

    monkeypatch.setattr(VolunteerForm, "save", meanwhile)

    response = client.post(reverse("volunteers:create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["last_name"] == [
        "Votre agence a déjà un volontaire avec ce nom et cette date de naissance."
    ]
    assert Volunteer.objects.filter(last_name=data["last_name"]).count() == 1


def test_a_host_structure_sent_twice_at_once_answers_the_form_with_the_name_taken(
    client, login, demo, monkeypatch
):
    login("anvt-officer")
    anvt = Agency.objects.get(acronym="ANVT")
    theme = ThemeFactory(code="health")
    save = HostStructureForm.save

    def meanwhile(form, *args, **kwargs):
        HostStructureFactory(agency=anvt, name=HOST_STRUCTURE["name"], city="Aného")
        return save(form, *args, **kwargs)

    monkeypatch.setattr(HostStructureForm, "save", meanwhile)

    response = client.post(
        reverse("agencies:hoststructure_create"), {**HOST_STRUCTURE, "themes": [theme.pk]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Votre agence a déjà une structure d’accueil de ce nom dans cette ville."
    ]
    assert HostStructure.objects.filter(name=HOST_STRUCTURE["name"]).count() == 1


@pytest.mark.django_db
def test_an_integrity_error_of_another_rule_goes_on_as_it_is():
    """Only a unique rule that another row now holds is a refusal; anything else is a bug."""
    structure = HostStructureFactory.build()
    assert broken_unique_rule(structure, {}) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        with refused_if_taken(structure):
            raise IntegrityError("some other constraint")
