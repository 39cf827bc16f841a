"""Demo data, in one place: each capability adds its part here (``load_demo`` runs them all).

Everything is idempotent: running ``load_demo`` twice leaves the same data.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import Agency, HostStructure, Membership
from agencies.reference import load_reference_data
from exchanges.models import Theme
from volunteers.demo import load_volunteers

User = get_user_model()

ROLES = [role.value for role in Membership.Role]

HOST_STRUCTURES = [
    # agency, name, kind, city, country, contact, themes
    ("ANVT", "Centre de santé communautaire de Bè", "health_centre", "Lomé", "TG",
     "Akossiwa Mensah", ["health"]),
    ("ANVT", "Association Jeunesse Verte de Kpalimé", "association", "Kpalimé", "TG",
     "Koffi Agbodjan", ["ecology"]),
    ("CNPV", "École fondamentale de Magnambougou", "school", "Bamako", "ML",
     "Aminata Traoré", ["school-dropout"]),
    ("CNPV", "Mairie de la Commune IV", "local_authority", "Bamako", "ML",
     "Moussa Keïta", ["global-citizenship"]),
    ("GIP-PNVB", "Centre de santé et de promotion sociale de Tanghin", "health_centre",
     "Ouagadougou", "BF", "Salimata Ouédraogo", ["health"]),
    ("GIP-PNVB", "Commune de Koudougou", "local_authority", "Koudougou", "BF",
     "Issouf Kaboré", ["decentralisation"]),
    ("ASC", "Association Unis-Cité Lyon", "association", "Lyon", "FR",
     "Claire Dubois", ["global-citizenship", "school-dropout"]),
    ("FV", "Maison des solidarités de Nantes", "association", "Nantes", "FR",
     "Hélène Le Goff", ["global-citizenship"]),
    ("VASE", "Escuela Fiscal Mixta Nº 12", "school", "Quito", "EC",
     "María José Andrade", ["education"]),
    ("VASE", "Fundación Bosque Nublado", "association", "Mindo", "EC",
     "Andrés Jaramillo", ["ecology", "environment"]),
]  # fmt: skip


def demo_usernames() -> list[str]:
    return [f"{a.slug}-{role}" for a in Agency.objects.order_by("acronym") for role in ROLES]


def _user(username: str, *, password: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(password)
        user.save()
    return user


def load_users(password: str) -> None:
    _user(
        "admin",
        password=password,
        is_staff=True,
        is_superuser=True,
        email="admin@reciprocity.localhost",
    )
    for agency in Agency.objects.all():
        for role in ROLES:
            user = _user(
                f"{agency.slug}-{role}",
                password=password,
                first_name=agency.acronym,
                last_name=Membership.Role(role).label,
                email=f"{role}@{agency.slug}.reciprocity.localhost",
            )
            Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": role})


def load_host_structures() -> None:
    agencies = {a.acronym: a for a in Agency.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    for acronym, name, kind, city, country, contact, theme_codes in HOST_STRUCTURES:
        structure, _ = HostStructure.objects.get_or_create(
            agency=agencies[acronym],
            name=name,
            city=city,
            defaults={"kind": kind, "country": country, "contact_person": contact},
        )
        structure.themes.set([themes[code] for code in theme_codes])


@transaction.atomic
def load_demo() -> None:
    if not settings.DEBUG:
        raise RuntimeError("Demo data is for development: DEBUG is off.")
    load_reference_data()
    load_users(settings.DEMO_PASSWORD)
    load_host_structures()
    load_volunteers()
