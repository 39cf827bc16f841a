"""Reference data for production: the agencies of DESIGN.md and the mission themes."""

from __future__ import annotations

from django.db import transaction

from .models import Agency, Theme
from .themes import THEME_LABELS

AGENCIES = [
    # acronym, name, country, kind, website
    ("ANVT", "Agence Nationale du Volontariat au Togo", "TG", "national_agency",
     "https://www.anvt.tg"),
    ("CNPV", "Centre national de promotion du volontariat au Mali", "ML", "national_agency", ""),
    ("GIP-PNVB", "Groupement d’intérêt public – Programme national de volontariat au Burkina Faso",
     "BF", "national_agency", ""),
    ("FV", "France Volontaires", "FR", "international_operator",
     "https://www.france-volontaires.org"),
    ("ASC", "Agence du Service Civique", "FR", "national_agency",
     "https://www.service-civique.gouv.fr"),
    ("VASE", "Fondation VASE", "EC", "foundation", ""),
]  # fmt: skip

# Stored names are French (the default language); the UI shows the translated label.
THEME_NAMES_FR = {
    "ecology": "Écologie et développement durable",
    "health": "Prévention et santé",
    "school-dropout": "Lutte contre le décrochage scolaire et chantiers de solidarité",
    "global-citizenship": "Éducation au développement et à la solidarité internationale",
    "education": "Éducation",
    "environment": "Environnement",
    "decentralisation": "Appui à la décentralisation",
}
assert set(THEME_NAMES_FR) == set(THEME_LABELS)


@transaction.atomic
def load_reference_data() -> None:
    """Create or update the reference agencies and themes (idempotent)."""
    for acronym, name, country, kind, website in AGENCIES:
        Agency.objects.update_or_create(
            acronym=acronym,
            defaults={"name": name, "country": country, "kind": kind, "website": website},
        )
    for code, name in THEME_NAMES_FR.items():
        Theme.objects.update_or_create(code=code, defaults={"name": name})
