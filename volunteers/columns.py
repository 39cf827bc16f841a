"""The columns of the import template and of the export, with French, English and Spanish
headers.

Headers are a file format, not interface text: they are fixed words in each language (matched
without regard to case, accents, spaces or punctuation), not gettext messages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EXPERIENCE_SLOTS = 3


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    fr: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def es(self) -> str:
        return spanish_header(self.key)

    def header(self, language: str) -> str:
        return {"fr": self.fr, "es": self.es}.get(language, self.en)

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.en, self.fr, self.es, *self.aliases)}


def normalise_header(value: str) -> str:
    """``"Date de naissance"``, ``"date_de_naissance"`` and ``"DATE-DE-NAISSANCE"`` are alike."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


SPANISH = {
    "first_name": "nombre",
    "last_name": "apellidos",
    "sex": "sexo",
    "birth_date": "fecha_de_nacimiento",
    "nationality": "nacionalidad",
    "diaspora": "diáspora",
    "email": "correo",
    "phone": "teléfono",
    "city": "ciudad",
    "country": "país",
    "education_level": "nivel_de_estudios",
    "languages": "idiomas",
    "skills": "competencias",
    "themes": "temas",
    "status": "estado",
    "notes": "notas",
    "sending_agency": "agencia_de_envío",
    "experience_days": "días_de_experiencia",
    "eligible_today": "elegible_hoy",
}
SPANISH_EXPERIENCE = {
    "organisation": "organización",
    "role": "función",
    "start": "inicio",
    "end": "fin",
}


def spanish_header(key: str) -> str:
    """``experience_2_start`` → ``experiencia_2_inicio``; the others from ``SPANISH``."""
    match = re.fullmatch(r"experience_(\d+)_([a-z]+)", key)
    if match:
        return f"experiencia_{match[1]}_{SPANISH_EXPERIENCE[match[2]]}"
    return SPANISH[key]


BASE_COLUMNS = [
    Column("first_name", "first_name", "prénom", required=True),
    Column("last_name", "last_name", "nom", required=True),
    Column("sex", "sex", "sexe", required=True),
    Column("birth_date", "birth_date", "date_de_naissance", required=True),
    Column("nationality", "nationality", "nationalité", required=True),
    Column("diaspora", "diaspora", "diaspora"),
    Column("email", "email", "courriel", aliases=("e-mail", "mail")),
    Column("phone", "phone", "téléphone"),
    Column("city", "city", "ville"),
    Column("country", "country", "pays"),
    Column("education_level", "education_level", "niveau_d_études"),
    Column("languages", "languages", "langues"),
    Column("skills", "skills", "compétences"),
    Column("themes", "themes", "thèmes"),
    Column("status", "status", "statut"),
    Column("notes", "notes", "notes"),
]


def experience_columns(slot: int) -> list[Column]:
    return [
        Column(f"experience_{slot}_organisation", f"experience_{slot}_organisation",
               f"expérience_{slot}_organisme", aliases=(f"experience_{slot}_organization",)),
        Column(f"experience_{slot}_role", f"experience_{slot}_role", f"expérience_{slot}_rôle"),
        Column(f"experience_{slot}_start", f"experience_{slot}_start", f"expérience_{slot}_début"),
        Column(f"experience_{slot}_end", f"experience_{slot}_end", f"expérience_{slot}_fin"),
    ]  # fmt: skip


COLUMNS = BASE_COLUMNS + [
    c for slot in range(1, EXPERIENCE_SLOTS + 1) for c in experience_columns(slot)
]

# Written by the export, ignored by the import: an exported file can be imported again.
EXPORT_ONLY_COLUMNS = [
    Column("sending_agency", "sending_agency", "agence_d_envoi"),
    Column("experience_days", "experience_days", "jours_d_expérience"),
    Column("eligible_today", "eligible_today", "éligible_aujourd_hui"),
]
