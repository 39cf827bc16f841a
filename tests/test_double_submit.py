"""A create form sent twice at once answers the form with its error, not a 500 (issue 16, point 5).

Two submissions at the same moment both pass the form's check that a reference (an e-mail, a
name) is free; the second insert then breaks the unique constraint. The race is simulated by
writing the other request's row between the check and the insert: the services then refuse with
the rule's message on its field (``core.integrity.refused_if_taken``), and the view shows it.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test import Client
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
User = get_user_model()


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
    assert form.errors["reference"] == ["Une convention avec cette référence existe déjà."]
    assert "Une convention avec cette référence existe déjà." in response.content.decode()
    # The other request's row was written in this request's transaction, rolled back with
    # it: no row is left over, and none doubled (the real race: the PostgreSQL test below).
    assert Agreement.objects.count() == before


def test_the_service_refuses_a_reference_taken_between_its_check_and_its_insert(demo, monkeypatch):
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


def _sent_meanwhile(monkeypatch, form_class, write):
    """The other request's row (``write()``) is committed just after this request's form was
    found valid, before the service saves it."""
    is_valid = form_class.is_valid
    written = []

    def meanwhile(form):
        valid = is_valid(form)
        if valid and not written:
            written.append(write(form))
        return valid

    monkeypatch.setattr(form_class, "is_valid", meanwhile)


def test_a_volunteer_sent_twice_at_once_answers_the_form_with_the_email_taken(
    client, login, demo, monkeypatch
):
    login("anvt-officer")
    data = volunteer_form()
    other = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("pk").first()
    _sent_meanwhile(
        monkeypatch,
        VolunteerForm,
        lambda form: Volunteer.objects.filter(pk=other.pk).update(email=data["email"]),
    )
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

    def twin(form):
        twin = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("pk").first()
        twin.pk, twin.id, twin.email = None, None, ""
        twin.first_name, twin.last_name = form.instance.first_name, form.instance.last_name
        twin.birth_date = form.instance.birth_date
        twin.save()

    _sent_meanwhile(monkeypatch, VolunteerForm, twin)

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
    _sent_meanwhile(
        monkeypatch,
        HostStructureForm,
        lambda form: HostStructureFactory(agency=anvt, name=HOST_STRUCTURE["name"], city="Aného"),
    )

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
    with pytest.raises(IntegrityError), transaction.atomic(), refused_if_taken(structure):
        raise IntegrityError("some other constraint")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agreement_forms_sent_at_the_same_moment_make_one_agreement_and_one_error(
    demo, monkeypatch
):
    """Two real requests, each in its own connection: both pass the check that the reference
    is free (they wait for each other after it), then both insert; the second waits for the
    first to commit, breaks the constraint, and is answered the form with its error."""
    cnpv = Agency.objects.get(acronym="CNPV")
    data = agreement_form(quotas=[("2019", "ab", 3)], party_b=cnpv.pk)
    barrier = threading.Barrier(2)
    check_quotas = agreement_services._check_quotas

    def together(agreement, quotas):
        check_quotas(agreement, quotas)
        barrier.wait(timeout=10)

    monkeypatch.setattr(agreement_services, "_check_quotas", together)
    responses, errors = [], []

    def send():
        try:
            client = Client()
            client.force_login(User.objects.get(username="anvt-manager"))
            responses.append(client.post(reverse("exchanges:create"), data))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert refused.context["form"].errors["reference"] == [
        "Une convention avec cette référence existe déjà."
    ]
    assert Agreement.objects.filter(reference=NEW).count() == 1
