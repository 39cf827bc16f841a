"""French is the default language; the catalogues are complete and compiled."""

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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    if language == "fr":
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
