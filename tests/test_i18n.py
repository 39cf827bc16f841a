"""French is the default language; the French and Spanish catalogues are complete, every
catalogue compiled, and each translation keeps its source's placeholders."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_the_default_language_is_french(client, db):
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "fr"
    assert "Se connecter" in response.content.decode()


def test_the_language_switcher_switches_to_english(client, db):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert response["Content-Language"] == "en"
    assert "Log in to Reciprocity" in response.content.decode()


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    # English is the language of the source texts: its empty msgstrs mean "as written".
    if language != "en":
        untranslated = [e.msgid for e in po.untranslated_entries()]
        assert untranslated == [], f"untranslated French strings: {untranslated[:10]}"
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert fuzzy == [], f"fuzzy strings: {fuzzy[:10]}"
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    # Keyed by context too: "Done" is "Terminé" for a job, "Réalisée" for a recommendation.
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    expected = {
        (e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries() if not e.msgid_plural
    }
    stale = [k for k, v in expected.items() if compiled.get(k) != v]
    assert stale == [], f"django.mo is older than django.po (make compilemessages): {stale[:5]}"


PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sdf]|%%|\{[a-z_]*\}")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_translation_keeps_the_placeholders_of_its_source(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            plural = _placeholders(entry.msgid_plural)
            forms = [_placeholders(v) for v in entry.msgstr_plural.values()]
            # A singular may leave its count implicit ("Only the pair…"), never add another.
            if forms[-1] != plural or any(set(f) - set(plural) for f in forms):
                wrong.append(entry.msgid)
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert wrong == [], f"placeholders differ in {language}: {wrong[:5]}"


def test_spanish_is_offered_and_served(client, db):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("login")}, follow=True
    )
    assert response["Content-Language"] == "es"
    assert "Iniciar sesión en Reciprocity" in response.content.decode()


def test_the_error_pages_speak_spanish(client, db):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()
