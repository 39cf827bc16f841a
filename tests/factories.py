import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, HostStructure, Membership
from exchanges.models import Theme


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
