"""French text that agrees with what it names (issue 18): "de" before a name elides, and an
agency's acronym that begins with a vowel takes its article ("de l’ANVT", "d’Akouvi",
"de Kossi"). English says "of", Spanish "de" (no elision).

Used through ``%(of_agency)s``-style placeholders: the message carries the preposition, so each
language writes its own (``Agreements %(of_agency)s`` → "Conventions de l’ANVT").
"""

from __future__ import annotations

from django.utils import translation

VOWELS = frozenset("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸŒÆH")  # a mute h elides too ("d’Hamidou")


def of(name, language: str | None = None, *, agency: bool = False) -> str:
    """``name`` after "of" in ``language`` (the active one by default): "d’Akouvi", "de Kossi";
    an agency's acronym takes its article before a vowel, "de l’ANVT" (before a consonant, "de
    CNPV": its article depends on a gender we do not know). In English "of ANVT", in Spanish
    "de ANVT"."""
    name = str(name)
    language = (language or translation.get_language() or "fr").split("-")[0]
    if language == "es":
        return f"de {name}"
    if language != "fr":
        return f"of {name}"
    if not name or name[0].upper() not in VOWELS:
        return f"de {name}"
    if agency:
        return f"de l’{name}"
    return f"d’{name}"


def of_agency(acronym, language: str | None = None) -> str:
    return of(acronym, language, agency=True)
