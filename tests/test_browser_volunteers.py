import datetime

import pytest

from config import celery_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_registers_a_volunteer_and_sees_the_eligibility(browser_login, live_demo):
    page = browser_login("anvt-officer")
    page.get_by_role("link", name="Volontaires", exact=True).first.click()
    page.get_by_role("link", name="Ajouter un volontaire").click()
    page.get_by_label("Prénom").fill("Essowè")
    page.locator("#id_last_name").fill("N’Tcha-Kpatcha")
    page.get_by_label("Sexe").select_option("female")
    today = datetime.date.today()
    page.get_by_label("Date de naissance").fill(f"{today.year - 22}-01-15")
    # The first period is short; a second one, overlapping, brings the union past two years.
    page.get_by_label("Organisme").fill("Croix-Rouge togolaise")
    page.get_by_label("Début").fill(f"{today.year - 3}-01-01")
    page.get_by_label("Fin").fill(f"{today.year - 2}-06-30")
    page.get_by_role("button", name="Ajouter une période").click()
    second = page.get_by_test_id("experience-form").nth(1)
    second.get_by_label("Organisme").fill("Association Jeunesse Verte de Kpalimé")
    second.get_by_label("Début").fill(f"{today.year - 2}-03-01")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_role("heading", name="Essowè N’Tcha-Kpatcha").is_visible()
    assert page.get_by_text("La fiche d’Essowè N’Tcha-Kpatcha est enregistrée.").is_visible()
    badge = page.get_by_test_id("eligibility-badge")
    assert badge.inner_text() == "Éligible"
    assert page.get_by_text("chevauche une autre période").first.is_visible()
    # Three years earlier she was not yet 18 and had no experience: two reasons.
    page.get_by_label("Date de départ").fill(f"{today.year - 5}-01-01")
    page.get_by_role("button", name="Vérifier").click()
    assert badge.inner_text() == "Non éligible"
    reasons = page.get_by_test_id("eligibility-reasons")
    assert "l’âge minimum est 18" in reasons.inner_text()
    assert "0 jour de volontariat" in reasons.inner_text()


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_an_officer_imports_a_file_fixes_a_row_and_imports_it(
    browser_login, live_demo, eager, tmp_path
):
    header = "prénom;nom;sexe;date_de_naissance;nationalité;courriel\n"
    bad = tmp_path / "volontaires.csv"
    bad.write_text(header + "Kafui;Amouzou;F;31/02/2002;TG;kafui@example.org\n", "utf-8")
    page = browser_login("anvt-officer")
    page.goto(f"{live_demo.url}/volunteers/import/")
    page.get_by_label("Fichier").set_input_files(str(bad))
    page.get_by_role("button", name="Vérifier et importer").click()
    errors = page.get_by_test_id("import-errors")
    assert "date_de_naissance" in errors.inner_text()
    assert "2" in errors.locator("td").first.inner_text()
    good = tmp_path / "volontaires-corrige.csv"
    good.write_text(header + "Kafui;Amouzou;F;28/02/2002;TG;kafui@example.org\n", "utf-8")
    page.get_by_role("link", name="Envoyer un fichier corrigé").click()
    page.get_by_label("Fichier").set_input_files(str(good))
    page.get_by_role("button", name="Vérifier et importer").click()
    assert page.get_by_test_id("import-result").inner_text().startswith("1 volontaire importé.")


def test_an_officer_exports_the_filtered_list_and_downloads_it(browser_login, live_demo, eager):
    page = browser_login("anvt-officer")
    page.goto(f"{live_demo.url}/volunteers/?status=withdrawn")
    page.get_by_role("button", name="Exporter en CSV").click()
    page.wait_for_url("**/volunteers/exports/*/")
    assert page.get_by_test_id("export-status").get_attribute("data-status") == "done"
    assert "exporté" in page.get_by_test_id("export-result").inner_text()
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    download = info.value
    assert download.suggested_filename.startswith("volontaires-")
    lines = download.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("prénom;nom;sexe;")
    assert len(lines) > 1 and all(";withdrawn;" in line for line in lines[1:])


def test_an_officer_pages_past_the_counted_volunteers_to_the_last_one(
    browser_login, live_demo, monkeypatch
):
    """A register longer than the count (1,000; 4 here) is read to its end: past the counted
    pages, "next" goes on from the last volunteer shown, in the same order."""
    import volunteers.views
    from core.pagination import CappedPaginator
    from volunteers.models import Volunteer

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(volunteers.views, "PAGE_SIZE", 2)
    register = Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by(
        "last_name", "first_name", "pk"
    )
    last = register.last()
    page = browser_login("anvt-officer")
    page.get_by_role("link", name="Volontaires", exact=True).first.click()
    assert "Plus de 4 volontaires" in page.get_by_test_id("result-count").inner_text()
    page.get_by_role("link", name="Suivant").click()
    page.get_by_test_id("past-the-count").click()
    shown = []
    while True:
        assert "au-delà des premières pages" in page.get_by_test_id("result-count").inner_text()
        shown += page.locator("tbody tr td:first-child a").all_inner_texts()
        following = page.get_by_test_id("keyset-pages").get_by_role("link", name="Suivant")
        if not following.count():
            break
        following.click()
    assert len(shown) == register.count() - 4
    assert shown[-1] == f"{last.last_name.upper()} {last.first_name}"
    # "Previous" leads back to the two volunteers before the last page's.
    ending = len(page.locator("tbody tr td:first-child a").all_inner_texts())
    keyset = page.get_by_test_id("keyset-pages")
    keyset.get_by_role("link", name="Précédente", exact=True).click()
    before = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert before == shown[-ending - 2 : -ending]
    page.get_by_role("link", name="Première page").click()
    assert "Plus de 4 volontaires" in page.get_by_test_id("result-count").inner_text()


def test_an_officer_goes_from_a_volunteer_to_the_missions_of_their_placements(
    browser_login, live_demo
):
    """A volunteer's page lists their placements (the pilot's volunteer back early from
    Nantes), each linked to its mission's page."""
    page = browser_login("anvt-officer")
    page.get_by_role("link", name="Volontaires", exact=True).first.click()
    page.get_by_label("Recherche").fill("Sossou")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="SOSSOU Kodjo").click()
    placements = page.get_by_test_id("volunteer-placements")
    assert "Retour anticipé" in placements.inner_text()
    placements.get_by_role("link", name="Solidarité internationale à Nantes").click()
    assert page.get_by_role("heading", name="Solidarité internationale à Nantes").is_visible()
