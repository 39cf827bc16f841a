import datetime

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, HostStructure, Membership, Theme
from exchanges.models import Agreement, Quota
from missions.models import ChecklistItem


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-password-123")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    acronym = factory.Sequence(lambda n: f"AG{n}")
    name = factory.LazyAttribute(lambda a: f"Agence {a.acronym}")
    country = "TG"
    kind = Agency.Kind.NATIONAL_AGENCY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.OFFICER


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.LazyAttribute(lambda t: f"Thème {t.code}")


class HostStructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostStructure

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Structure d’accueil nº {n}")
    kind = HostStructure.Kind.ASSOCIATION
    city = "Lomé"
    country = "TG"


class AgreementFactory(factory.django.DjangoModelFactory):
    """A bare agreement row (no version). Tests of the workflow go through
    ``exchanges.services`` (see ``tests/agreement_helpers.py``) so that versions exist."""

    class Meta:
        model = Agreement

    reference = factory.Sequence(lambda n: f"VIR-TEST-{n}")
    title = factory.LazyAttribute(lambda a: f"Accord {a.reference}")
    party_a = factory.SubFactory(AgencyFactory)
    party_b = factory.SubFactory(AgencyFactory)
    start_date = datetime.date(2017, 10, 1)
    end_date = datetime.date(2030, 12, 31)


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    agreement = factory.SubFactory(AgreementFactory)
    cohort = 2017
    sending = factory.LazyAttribute(lambda q: q.agreement.party_a)
    receiving = factory.LazyAttribute(lambda q: q.agreement.party_b)
    places = 4


def manager_of(agency):
    return MembershipFactory(agency=agency, role=Membership.Role.MANAGER).user


def make_agreement(*, party_a=None, party_b=None, quotas=None, author=None, themes=(), **fields):
    """A draft agreement made the way users make one (through the service): it has version 1.

    ``quotas``: ``(cohort, "ab" | "ba", places)`` rows, "ab" meaning party A → party B.
    """
    from exchanges.services import QuotaData, agreement_create

    party_a = party_a or AgencyFactory()
    party_b = party_b or AgencyFactory()
    author = author or manager_of(party_a)
    if quotas is None:
        quotas = [(2017, "ab", 4), (2017, "ba", 2)]
    rows = [
        QuotaData(
            cohort=cohort,
            sending_id=(party_a if way == "ab" else party_b).pk,
            receiving_id=(party_b if way == "ab" else party_a).pk,
            places=places,
        )
        for cohort, way, places in quotas
    ]
    agreement = AgreementFactory.build(party_a=party_a, party_b=party_b, **fields)
    return agreement_create(agreement=agreement, themes=themes, quotas=rows, user=author)


def current_quotas(agreement):
    """The agreement's quotas as the services take them (to change one and save again)."""
    from exchanges.services import QuotaData

    return [
        QuotaData(q.cohort, q.sending_id, q.receiving_id, q.places, q.duration_months)
        for q in agreement.quotas.order_by("cohort", "sending_id")
    ]


def _letters(n: int) -> str:
    """0 → "a", 25 → "z", 26 → "ba": names take letters, not digits."""
    letters = ""
    while True:
        letters = chr(ord("a") + n % 26) + letters
        n //= 26
        if not n:
            return letters


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Volunteer"

    first_name = factory.Iterator(["Akossiwa", "Kossi", "Aminata", "Théo", "María José", "Aïcha"])
    last_name = factory.Sequence(lambda n: f"Amégah-{_letters(n).capitalize()}")
    sex = "female"
    birth_date = factory.Sequence(lambda n: datetime.date(2001, 1, 1) + datetime.timedelta(n % 900))
    nationality = "TG"
    email = factory.Sequence(lambda n: f"volontaire{n}@example.org")
    sending_agency = factory.SubFactory(AgencyFactory)


class ExperienceFactory(factory.django.DjangoModelFactory):
    """A period; the derived spans of its volunteer are rebuilt, as the services do."""

    class Meta:
        model = "volunteers.Experience"
        skip_postgeneration_save = True

    volunteer = factory.SubFactory(VolunteerFactory)
    organisation = "Croix-Rouge togolaise"
    start = datetime.date(2020, 1, 1)
    end = datetime.date(2022, 12, 31)

    @factory.post_generation
    def refresh_spans(obj, create, extracted, **kwargs):
        from volunteers.services import experience_spans_refresh

        if create:
            experience_spans_refresh(volunteer_ids=[obj.volunteer_id])


def approved_agreement(*, party_a=None, party_b=None, quotas=None, **fields):
    """An agreement approved by both parties through the services (its quotas apply)."""
    from exchanges.services import agreement_approve, agreement_submit

    party_a = party_a or AgencyFactory()
    party_b = party_b or AgencyFactory()
    managers = {party_a: manager_of(party_a), party_b: manager_of(party_b)}
    agreement = make_agreement(
        party_a=party_a, party_b=party_b, quotas=quotas, author=managers[party_a], **fields
    )
    agreement_submit(agreement=agreement, user=managers[party_a])
    for party, user in managers.items():
        agreement_approve(agreement=agreement, version_number=1, agency=party, user=user)
    agreement.refresh_from_db()
    return agreement


def make_mission(*, quota=None, places=4, start=None, months=6, **fields):
    """An open mission under ``quota`` (default: a fresh approved agreement's A → B quota of
    the cohort of ``start``), starting on ``start`` (default: 1 January 2018, or 1 November
    of the given quota's cohort)."""
    if start is None:
        start = datetime.date(quota.cohort, 11, 1) if quota else datetime.date(2018, 1, 1)
    from missions.models import Mission
    from missions.services import add_months, mission_create

    if quota is None:
        # A cohort is the year its missions start in.
        # Room for the mission's places (a mission offers no more than its quota has).
        agreement = approved_agreement(
            quotas=[(start.year, "ab", max(places, 4)), (start.year, "ba", 2)]
        )
        quota = agreement.quotas.get(cohort=start.year, sending=agreement.party_a)
    theme = fields.pop("theme", None) or ThemeFactory()
    mission = Mission(
        quota=quota,
        host_structure=fields.pop("host_structure", None)
        or HostStructureFactory(agency=quota.receiving),
        title=fields.pop("title", "Appui à l’école"),
        theme=theme,
        city="Bamako",
        start_date=start,
        end_date=add_months(start, months) - datetime.timedelta(days=1),
        places=places,
        **fields,
    )
    return mission_create(mission=mission, user=None)


def eligible_volunteer(agency, on=datetime.date(2018, 1, 1), **fields):
    """A volunteer of ``agency`` aged 22 with three years of experience on ``on``."""
    volunteer = VolunteerFactory(
        sending_agency=agency, birth_date=on.replace(year=on.year - 22), **fields
    )
    ExperienceFactory(
        volunteer=volunteer,
        start=on.replace(year=on.year - 4),
        end=on.replace(year=on.year - 1),
    )
    return volunteer


def checklist_done(placement):
    """Every item of a confirmed placement's pre-departure checklist marked done (the way
    through to departure, for tests about what comes after)."""
    ChecklistItem.objects.filter(placement=placement).update(status=ChecklistItem.Status.DONE)
