import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Theme
from core.history import reason_shown
from tests.factories import ExperienceFactory, MembershipFactory, ThemeFactory, VolunteerFactory
from volunteers.eligibility import latest_birth_date
from volunteers.models import Experience, LanguageSkill, Volunteer
from volunteers.selectors import volunteers_registered_by

d = datetime.date
TODAY = timezone.localdate


def anvt_volunteer():
    """An ANVT volunteer without placements (a placement under way holds a withdrawal)."""
    anvt = Volunteer.objects.filter(sending_agency__acronym="ANVT", placements__isnull=True)
    return anvt.order_by("pk").first()


def form_data(experiences=(), languages=(), **fields):
    """The POST of the volunteer form with its two formsets."""
    data = {
        "first_name": "Essowè",
        "last_name": "N’Tcha-Kpatcha",
        "sex": "female",
        "birth_date": "2003-04-12",
        "nationality": "TG",
        "email": "essowe.ntcha@example.org",
        "phone": "+228 90 12 34 56",
        "city": "Kara",
        "country": "TG",
        "education_level": "bachelor",
        "status": "candidate",
        "experiences-TOTAL_FORMS": str(len(experiences)),
        "experiences-INITIAL_FORMS": "0",
        "languages-TOTAL_FORMS": str(len(languages)),
        "languages-INITIAL_FORMS": "0",
        **fields,
    }
    for i, experience in enumerate(experiences):
        for key, value in experience.items():
            data[f"experiences-{i}-{key}"] = value
    for i, (language, level) in enumerate(languages):
        data[f"languages-{i}-language"] = language
        data[f"languages-{i}-level"] = level
    return data


TWO_PERIODS = [
    {"organisation": "Croix-Rouge togolaise", "role": "Secouriste", "start": "2021-01-01",
     "end": "2022-06-30"},
    {"organisation": "Association Jeunesse Verte", "start": "2022-03-01", "end": ""},
]  # fmt: skip


# --- Access ---------------------------------------------------------------------------------


def test_a_cnpv_officer_gets_404_on_every_page_of_an_anvt_volunteer(client, login, demo):
    login("cnpv-officer")
    volunteer = anvt_volunteer()
    experience = volunteer.experiences.first()
    for name, arg in [
        ("volunteers:detail", volunteer.pk),
        ("volunteers:edit", volunteer.pk),
        ("volunteers:personal_data", volunteer.pk),
        ("volunteers:anonymise", volunteer.pk),
        ("volunteers:proof", experience.pk),
    ]:
        assert client.get(reverse(name, args=[arg])).status_code == 404, name
    response = client.post(reverse("volunteers:withdraw", args=[volunteer.pk]))
    assert response.status_code == 404
    listed = client.get(reverse("volunteers:index"), {"q": volunteer.last_name})
    assert volunteer.email not in listed.content.decode()
    assert all(v.sending_agency.acronym == "CNPV" for v in listed.context["page"].object_list)


def test_an_evaluator_reads_but_cannot_change(client, login, demo):
    login("anvt-evaluator")
    volunteer = anvt_volunteer()
    page = client.get(reverse("volunteers:detail", args=[volunteer.pk])).content.decode()
    assert reverse("volunteers:edit", args=[volunteer.pk]) not in page
    assert client.get(reverse("volunteers:edit", args=[volunteer.pk])).status_code == 403
    assert client.post(reverse("volunteers:withdraw", args=[volunteer.pk])).status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.status != "withdrawn"


# --- List -----------------------------------------------------------------------------------


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        assert response.status_code == 200
    return len(ctx.captured_queries), response


FILTERS = [
    {},
    {"q": "amégah", "ordering": "-birth_date"},
    {"status": "candidate", "nationality": "TG", "age_min": "18", "age_max": "30"},
    {"eligible_on": "2025-10-01", "language": "fr", "ordering": "name"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_the_list_issues_the_same_number_of_queries_for_30_and_300_volunteers(db, client, params):
    membership = MembershipFactory(role="officer")
    agency = membership.agency
    theme = ThemeFactory(code="health")
    client.force_login(membership.user)
    url = reverse("volunteers:index")

    def grow_to(n):
        existing = Volunteer.objects.count()
        for _ in range(n - existing):
            experience = ExperienceFactory(volunteer__sending_agency=agency)
            experience.volunteer.themes.add(theme)
            LanguageSkill.objects.create(
                volunteer=experience.volunteer, language="fr", level="native"
            )

    grow_to(30)
    small, response = _count_queries(client, url, {**params, "theme": theme.pk})
    assert response.context["page"].object_list
    grow_to(300)
    large, response = _count_queries(client, url, {**params, "theme": theme.pk})
    assert small == large
    assert large <= 12


def test_the_list_reads_the_user_the_page_and_the_themes_in_three_queries(db, client):
    """The signed-in user with their memberships (``agencies.auth``), the page of rows with
    its count, and every theme with the page's (the rows and the filter's select)."""
    membership = MembershipFactory(role="officer")
    ExperienceFactory.create_batch(3, volunteer__sending_agency=membership.agency)
    client.force_login(membership.user)
    client.get(reverse("volunteers:index"))  # the session read once into the cache
    count, response = _count_queries(client, reverse("volunteers:index"), {})
    assert len(response.context["page"].object_list) == 3
    assert count == 3


def test_the_theme_select_offers_every_theme_beside_the_rows_themes(db, client):
    membership = MembershipFactory(role="officer")
    health, water, _ = (ThemeFactory(code=c, name=c.title()) for c in ("h", "w", "u"))
    volunteer = ExperienceFactory(volunteer__sending_agency=membership.agency).volunteer
    volunteer.themes.add(health, water)
    client.force_login(membership.user)
    page = client.get(reverse("volunteers:index"), {"theme": water.pk}).content.decode()
    start = page.index('name="theme"')
    select = page[start : page.index("</select>", start)]
    assert re.findall(r">(\w)</option>", select) == ["H", "U", "W"]
    assert f'<option value="{water.pk}" selected>' in select
    assert f'<option value="{health.pk}">' in select
    assert "H · W" in page


def test_the_filters_select_what_they_say(client, login, demo):
    user = login("anvt-officer")
    anvt = Agency.objects.get(acronym="ANVT")
    health = Theme.objects.get(code="health")
    url = reverse("volunteers:index")

    def listed(**params):
        response = client.get(url, {**params, "page": 1})
        qs = response.context["filter"].qs
        return set(qs.values_list("pk", flat=True))

    # The register of ANVT: the volunteers it sends (hosted ones are reached from missions).
    mine = volunteers_registered_by(user)
    assert not mine.exclude(sending_agency=anvt).exists()
    assert listed() == set(mine.values_list("pk", flat=True))
    assert listed(status="withdrawn") == set(
        mine.filter(status="withdrawn").values_list("pk", flat=True)
    )
    assert listed(theme=health.pk) == set(mine.filter(themes=health).values_list("pk", flat=True))
    assert listed(language="ee") == set(
        mine.filter(languages__language="ee").values_list("pk", flat=True)
    )
    today = TODAY()
    ages = {v.pk: v.birth_date for v in mine}
    in_range = {
        pk for pk, born in ages.items()
        if latest_birth_date(today, 21) >= born > latest_birth_date(today, 24)
    }  # fmt: skip
    assert listed(age_min=21, age_max=23) == in_range
    someone = mine.order_by("pk").first()
    assert listed(q=someone.email.upper()) == {someone.pk}
    assert someone.pk in listed(q=f"{someone.first_name} {someone.last_name}")
    eligible = listed(eligible_on=today.isoformat())
    assert eligible and eligible < set(ages)
    from volunteers.eligibility import evaluate

    for volunteer in mine.prefetch_related("experiences"):
        periods = [e.period for e in volunteer.experiences.all()]
        assert (volunteer.pk in eligible) == evaluate(volunteer.birth_date, periods, today).eligible
    assert user.username == "anvt-officer"


def test_the_list_sorts_and_pages(client, login, demo):
    visible = volunteers_registered_by(login("anvt-officer")).count()
    url = reverse("volunteers:index")
    response = client.get(url, {"ordering": "-birth_date"})
    births = [v.birth_date for v in response.context["page"].object_list]
    assert births == sorted(births, reverse=True)
    assert response.context["page"].paginator.count == visible
    second = client.get(url, {"ordering": "-birth_date", "page": 2})
    assert len(second.context["page"].object_list) == visible - 50
    assert "ordering=-birth_date" in second.content.decode()


def test_the_list_says_which_volunteers_are_eligible_on_the_date(client, login, demo):
    login("anvt-officer")
    page = client.get(reverse("volunteers:index"), {"eligible_on": "2025-10-01"})
    html = page.content.decode()
    assert "Éligible le 01/10/2025" in html
    assert all(v.eligible for v in page.context["page"].object_list)


def test_the_list_rows_show_each_cell_escaped(db, client, django_user_model):
    """The rows are written in Python (``volunteer_rows``): names escaped, the anonymised
    one unnamed, the diaspora badge, the themes by name, the agency column for a member of
    two agencies."""
    first, second = MembershipFactory(role="officer"), None
    second = MembershipFactory(role="officer", user=first.user)
    health, education = ThemeFactory(code="health"), ThemeFactory(code="education")
    born = latest_birth_date(TODAY(), 22)
    shown = VolunteerFactory(
        sending_agency=first.agency, first_name="<b>Ama</b>", last_name="d'Almeida & Fils",
        birth_date=born, nationality="TG", diaspora=True, status="selected",
    )  # fmt: skip
    shown.themes.add(health, education)
    erased = VolunteerFactory(sending_agency=second.agency, last_name="Zz", first_name="Zz")
    Volunteer.objects.filter(pk=erased.pk).update(anonymised_at=timezone.now())
    client.force_login(first.user)

    html = client.get(reverse("volunteers:index"), {"ordering": "name"}).content.decode()

    assert "<b>Ama" not in html
    assert "D&#x27;ALMEIDA &amp; FILS &lt;b&gt;Ama&lt;/b&gt;</a>" in html
    assert f'href="{reverse("volunteers:detail", args=[shown.pk])}"' in html
    assert 'data-label="Âge">22</td>' in html
    assert ">Togo</td>" in html
    assert f'data-label="Statut">{shown.get_status_display()}</td>' in html
    assert ' <span class="badge text-bg-light border">diaspora</span>' in html
    themes = " · ".join(str(t) for t in Theme.objects.filter(volunteers=shown).order_by("name"))
    assert f'data-label="Thèmes">{themes}</td>' in html
    assert f">{first.agency.acronym}</td>" in html and f">{second.agency.acronym}</td>" in html
    assert ">Volontaire anonymisé" in html and "ZZ Zz" not in html


# --- Detail ---------------------------------------------------------------------------------


def test_the_detail_shows_the_eligibility_badge_and_reasons_for_a_chosen_date(client, login, demo):
    login("anvt-officer")
    volunteer = VolunteerFactory(
        sending_agency=Agency.objects.get(acronym="ANVT"), birth_date=d(2007, 10, 2)
    )
    ExperienceFactory(volunteer=volunteer, start=d(2023, 1, 1), end=None)
    url = reverse("volunteers:detail", args=[volunteer.pk])
    page = client.get(url, {"on": "2025-10-01"}).content.decode()
    assert "Non éligible" in page
    assert "17 ans le 01/10/2025" in page or "Âge de 17 ans le 01/10/2025" in page
    assert "l’âge minimum est 18" in page
    page = client.get(url, {"on": "2025-10-02"}).content.decode()
    assert 'data-testid="eligibility-badge">Éligible<' in page
    assert "en cours" in page  # the ongoing period on the timeline


def test_the_detail_defaults_to_today(client, login, demo):
    login("anvt-officer")
    response = client.get(reverse("volunteers:detail", args=[anvt_volunteer().pk]))
    assert response.context["eligibility"].on == TODAY()


# --- Create and edit ------------------------------------------------------------------------


def test_an_officer_creates_a_volunteer_with_experience_and_languages(client, login, demo):
    user = login("anvt-officer")
    health = Theme.objects.get(code="health")
    response = client.post(
        reverse("volunteers:create"),
        form_data(TWO_PERIODS, [("fr", "fluent"), ("kbp", "native")], themes=[health.pk]),
    )
    volunteer = Volunteer.objects.get(email="essowe.ntcha@example.org")
    assert response.status_code == 302
    assert response.url == reverse("volunteers:detail", args=[volunteer.pk])
    assert volunteer.sending_agency.acronym == "ANVT"
    assert volunteer.last_name == "N’Tcha-Kpatcha"
    assert volunteer.experiences.count() == 2
    assert {s.language for s in volunteer.languages.all()} == {"fr", "kbp"}
    assert list(volunteer.themes.all()) == [health]
    assert volunteer.spans.count() == 1  # the ongoing period overlaps the first
    assert volunteer.history.first().history_user == user


def test_the_form_refuses_bad_input_in_french(client, login, demo):
    login("anvt-officer")
    existing = anvt_volunteer()
    bad_period = [{"organisation": "Scouts", "start": "2024-05-01", "end": "2024-04-01"}]
    response = client.post(
        reverse("volunteers:create"),
        form_data(
            bad_period,
            [("fr", "fluent"), ("fr", "basic")],
            first_name="R2-D2",
            email=existing.email.upper(),
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "ne peut pas figurer dans un nom" in page
    assert "déjà un volontaire avec cette adresse" in page
    assert "La fin ne peut pas précéder le début" in page
    assert "Cette langue figure deux fois" in page
    assert not Volunteer.objects.filter(first_name="R2-D2").exists()


def test_the_same_person_twice_is_refused(client, login, demo):
    login("anvt-officer")
    existing = anvt_volunteer()
    response = client.post(
        reverse("volunteers:create"),
        form_data(
            first_name=existing.first_name.upper(),
            last_name=existing.last_name,
            birth_date=existing.birth_date.isoformat(),
            email="autre@example.org",
        ),
    )
    assert "déjà un volontaire avec ce nom et cette date de naissance" in response.content.decode()


def test_editing_a_period_updates_the_eligibility_filter(client, login, demo):
    login("anvt-manager")
    volunteer = VolunteerFactory(
        sending_agency=Agency.objects.get(acronym="ANVT"), birth_date=d(2003, 1, 1)
    )
    experience = ExperienceFactory(volunteer=volunteer, start=d(2020, 1, 1), end=d(2023, 1, 1))
    from volunteers.selectors import eligible_q

    assert Volunteer.objects.filter(eligible_q(d(2025, 10, 1)), pk=volunteer.pk).exists()
    data = form_data(
        first_name=volunteer.first_name,
        last_name=volunteer.last_name,
        birth_date="2003-01-01",
        email=volunteer.email,
    )
    data.update(
        {
            "experiences-TOTAL_FORMS": "1",
            "experiences-INITIAL_FORMS": "1",
            "experiences-0-id": str(experience.pk),
            "experiences-0-volunteer": str(volunteer.pk),
            "experiences-0-organisation": "Scouts",
            "experiences-0-start": "2020-01-01",
            "experiences-0-end": "2020-06-30",
        }
    )
    response = client.post(reverse("volunteers:edit", args=[volunteer.pk]), data)
    assert response.status_code == 302
    assert not Volunteer.objects.filter(eligible_q(d(2025, 10, 1)), pk=volunteer.pk).exists()
    data["experiences-0-DELETE"] = "on"
    client.post(reverse("volunteers:edit", args=[volunteer.pk]), data)
    assert not volunteer.experiences.exists()
    assert not volunteer.spans.exists()


# --- Proof documents ------------------------------------------------------------------------


def _post_with_proof(client, content, name="attestation.pdf"):
    period = {**TWO_PERIODS[0], "proof": SimpleUploadedFile(name, content)}
    return client.post(reverse("volunteers:create"), form_data([period]))


def test_a_pdf_proof_is_kept_and_downloaded_through_the_rules(client, login, demo):
    login("anvt-officer")
    response = _post_with_proof(client, b"%PDF-1.7\n%\xe2\xe3 attestation")
    assert response.status_code == 302
    experience = Experience.objects.get(volunteer__email="essowe.ntcha@example.org")
    assert experience.proof_name == "attestation.pdf"
    download = client.get(reverse("volunteers:proof", args=[experience.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    login("vase-officer")
    assert client.get(reverse("volunteers:proof", args=[experience.pk])).status_code == 404


def test_a_proof_is_checked_by_its_content_and_size(client, login, demo):
    login("anvt-officer")
    response = _post_with_proof(client, b"MZ\x90\x00 not a pdf at all")
    assert "ni un PDF ni une image" in response.content.decode()
    big = b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024)
    response = _post_with_proof(client, big)
    assert "trop volumineux" in response.content.decode()
    assert not Volunteer.objects.filter(email="essowe.ntcha@example.org").exists()


# --- Withdraw, personal data, anonymisation -------------------------------------------------


def test_an_officer_withdraws_a_volunteer_and_the_reason_is_recorded(client, login, demo):
    user = login("anvt-officer")
    volunteer = anvt_volunteer()
    url = reverse("volunteers:withdraw", args=[volunteer.pk])
    response = client.post(url, {"reason": "Reprise d’études"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == "withdrawn"
    latest = volunteer.history.first()
    assert (latest.history_user, latest.history_change_reason) == (user, "Reprise d’études")
    again = client.post(url, follow=True)
    assert "Le retrait de cette candidature est déjà enregistré." in again.content.decode()


def test_a_manager_downloads_personal_data_and_the_download_is_recorded(client, login, demo):
    login("anvt-officer")
    volunteer = anvt_volunteer()
    url = reverse("volunteers:personal_data", args=[volunteer.pk])
    assert client.get(url).status_code == 403
    user = login("anvt-manager")
    response = client.get(url)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["email"] == volunteer.email
    assert data["experiences"][0]["organisation"]
    latest = volunteer.history.first()
    assert latest.history_user == user
    assert latest.history_change_reason == "@personal-data"  # a code, shown translated
    assert reason_shown(latest.history_change_reason) == "Données personnelles téléchargées"


def test_anonymising_erases_the_identity_everywhere_and_keeps_statistics(client, login, demo):
    user = login("anvt-manager")
    volunteer = anvt_volunteer()
    ExperienceFactory(volunteer=volunteer, description="Chez Mme Mensah, Lomé")
    client.post(reverse("volunteers:withdraw", args=[volunteer.pk]), {"reason": "test"})
    identity = (volunteer.first_name, volunteer.last_name, volunteer.email)
    response = client.post(reverse("volunteers:anonymise", args=[volunteer.pk]))
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.is_anonymised
    assert volunteer.email == "" and volunteer.phone == ""
    assert volunteer.birth_date.year == volunteer.history.last().birth_date.year
    assert volunteer.nationality.code == "TG"  # statistics kept
    for record in volunteer.history.all():
        assert (record.first_name, record.last_name, record.email) != identity
        assert record.email == ""
    assert not Experience.history.filter(description__contains="Mensah").exists()
    latest = volunteer.history.first()
    assert latest.history_user == user
    assert latest.history_change_reason == "@anonymised"
    page = client.get(reverse("volunteers:detail", args=[volunteer.pk])).content.decode()
    assert "Volontaire anonymisé" in page
    assert identity[2] not in page
    assert client.get(reverse("volunteers:edit", args=[volunteer.pk])).status_code == 403


# --- Admin ----------------------------------------------------------------------------------


def test_an_anonymisation_reads_in_the_readers_language_and_the_admin_names_no_one(
    client, login, demo
):
    """The reason of the anonymisation is stored as a code and written in the reader's
    language (it was stored in the French of whoever anonymised); the admin names the person
    "anonymised volunteer" in its list and its history (not "Anonymised Anonymised"), writes
    "—" where a version has no reason (not "None") and a status by its label."""
    login("anvt-manager")
    volunteer = anvt_volunteer()
    client.post(reverse("volunteers:withdraw", args=[volunteer.pk]))
    client.post(reverse("volunteers:anonymise", args=[volunteer.pk]))
    detail = reverse("volunteers:detail", args=[volunteer.pk])
    french = client.get(detail, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Anonymisé à la demande de la personne" in french and "Retiré" in french
    spanish = client.get(detail, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Anonimizado a petición de la persona" in spanish and "Anonymisé" not in spanish
    assert "Retirado" in spanish

    login("admin")
    listed = client.get(reverse("admin:volunteers_volunteer_changelist") + "?q=anonym")
    listed = listed.content.decode()
    assert "Volontaire anonymisé" in listed and "Anonymised" not in listed
    history = client.get(reverse("admin:volunteers_volunteer_history", args=[volunteer.pk]))
    history = history.content.decode()
    assert "Anonymised" not in history and history.count("Volontaire anonymisé") >= 3
    assert "None" not in history and "—" in history
    assert "Anonymisé à la demande de la personne" in history and "@anonymised" not in history
    status = re.search(r"<strong>Statut:</strong>\s*([^<]*)</li>", history)
    assert status and "withdrawn" not in status.group(1) and "Retiré" in status.group(1)


def test_the_admin_lists_each_model_with_history(client, login, demo):
    login("admin")
    volunteer = anvt_volunteer()
    for url in [
        reverse("admin:volunteers_volunteer_changelist") + "?q=Mensah",
        reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]),
        reverse("admin:volunteers_volunteer_history", args=[volunteer.pk]),
        reverse("admin:volunteers_experience_changelist"),
        reverse("admin:volunteers_languageskill_changelist"),
        reverse("admin:volunteers_experiencespan_changelist"),
        reverse("admin:volunteers_volunteerimport_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_removed_or_replaced_proof_leaves_no_file_behind(
    client, login, demo, django_capture_on_commit_callbacks
):
    login("anvt-officer")
    with django_capture_on_commit_callbacks(execute=True):
        _post_with_proof(client, b"%PDF-1.7 first")
    volunteer = Volunteer.objects.get(email="essowe.ntcha@example.org")
    experience = volunteer.experiences.get()
    first = experience.proof.name
    storage = experience.proof.storage
    data = form_data(email=volunteer.email)
    data.update(
        {
            "experiences-TOTAL_FORMS": "1",
            "experiences-INITIAL_FORMS": "1",
            "experiences-0-id": str(experience.pk),
            "experiences-0-volunteer": str(volunteer.pk),
            **{f"experiences-0-{k}": v for k, v in TWO_PERIODS[0].items()},
            "experiences-0-proof": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n...."),
        }
    )
    url = reverse("volunteers:edit", args=[volunteer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    experience.refresh_from_db()
    assert experience.proof_name == "photo.png"
    assert not storage.exists(first) and storage.exists(experience.proof.name)
    second = experience.proof.name
    del data["experiences-0-proof"]
    data["experiences-0-DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert not storage.exists(second)
    assert not volunteer.experiences.exists()


def test_a_list_longer_than_the_cap_says_more_than_and_stops_paging_there(db, client, monkeypatch):
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    for _ in range(6):
        VolunteerFactory(sending_agency=membership.agency)
    response = client.get(reverse("volunteers:index"))
    assert "Plus de 4 volontaires : affinez les filtres." in response.content.decode()
    # Pages go as far as the cap (4 rows: one page of 50), never past it.
    far = client.get(reverse("volunteers:index"), {"page": 99})
    assert far.context["page"].number == 1
    assert len(far.context["page"].object_list) == 4


@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "-birth_date"}, {"ordering": "nationality"}, {"ordering": "-updated"},
     {"q": "sossou"}, {"q": "sossou", "ordering": "status"}],
)  # fmt: skip
def test_every_row_is_reached_past_the_count_in_the_lists_order(db, client, monkeypatch, params):
    """Past the counted pages, "next" links go on from the last row shown (a keyset position):
    every volunteer is reached once, in the order of the first pages, whatever the sort."""
    import volunteers.views
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(volunteers.views, "PAGE_SIZE", 2)
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    for i, nationality in enumerate(["TG", "ML", "TG", "BF", "FR", "TG", "EC", "ML", "TG"]):
        VolunteerFactory(
            sending_agency=membership.agency, last_name=f"Sossou-{i % 4}", nationality=nationality,
            status="candidate" if i % 3 else "selected",
        )  # fmt: skip
    url = reverse("volunteers:index")
    uncapped = client.get(url, {**params, "page": 1}).context["filter"].qs
    expected = [v.pk for v in uncapped]
    assert len(expected) == 9
    seen = []
    for number in (1, 2):  # the counted pages: 4 rows
        page = client.get(url, {**params, "page": number})
        seen += [v.pk for v in page.context["page"].object_list]
    position = page.context["next_position"]
    assert position and "past-the-count" in page.content.decode()
    while position:
        page = client.get(url, {**params, "after": position})
        assert page.context["page"].is_keyset
        seen += [v.pk for v in page.context["page"].object_list]
        position = page.context["next_position"]
    assert seen == expected
    # And back: "Previous" pages in the list's order (a search reads its pages its own way
    # and offers "First page" instead).
    back = [v.pk for v in page.context["page"].object_list]
    position = page.context["page"].previous_position
    assert bool(position) != ("q" in params)
    while position:
        page = client.get(url, {**params, "before": position})
        back[:0] = [v.pk for v in page.context["page"].object_list]
        position = page.context["page"].previous_position
    if "q" not in params:
        assert back == expected
    # A position edited by hand, or from another sort, starts again from the first page.
    for broken in ("garbage", "W10", "WyJ4Il0"):
        assert client.get(url, {**params, "after": broken}).context["page"].number == 1


def test_a_page_past_the_count_costs_the_queries_of_a_first_page(db, client, monkeypatch):
    import volunteers.views
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(volunteers.views, "PAGE_SIZE", 2)
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    VolunteerFactory.create_batch(30, sending_agency=membership.agency)
    url = reverse("volunteers:index")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    position = client.get(url, {"page": 2}).context["next_position"]
    with CaptureQueriesContext(connection) as deep:
        assert len(client.get(url, {"after": position}).context["page"].object_list) == 2
    assert len(deep.captured_queries) <= len(first.captured_queries)


@pytest.mark.parametrize(
    "cap, walk_limit, misordered, way",
    [
        (1_000, 200_000, False, "by id"),  # fewer matches than the cap: every id known
        (6, 200_000, False, "in order"),  # more: the register read in order up to the sample's
        (6, 0, False, "sorted"),  # more, and that walk would pass too many rows
        (6, 200_000, True, "sorted"),  # the sample ordered otherwise: the walk falls short
    ],
)
def test_a_search_reads_its_pages_in_the_list_order_whichever_way(
    db, client, monkeypatch, cap, walk_limit, misordered, way
):
    """A search's page is read by the ids of its matches (fewer than the cap), in the
    register's order up to where a sample of its matches says the page ends, or from every
    match sorted (that walk too long, or short of the page): the same pages whichever way."""
    import volunteers.views
    from core.pagination import CappedPaginator
    from volunteers.selectors import SearchReader

    monkeypatch.setattr(volunteers.views, "PAGE_SIZE", 3)
    monkeypatch.setattr(CappedPaginator, "cap", cap)
    monkeypatch.setattr(SearchReader, "WALK_LIMIT", walk_limit)
    if misordered:  # a collation other than Python's: the bound falls before the page's end
        monkeypatch.setattr(SearchReader, "_ordered", lambda self, rows: [min(rows)] * len(rows))
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    for i in range(7):
        VolunteerFactory(sending_agency=membership.agency, last_name=f"Sossou-{i}")
    VolunteerFactory(sending_agency=membership.agency, last_name="Amégah")
    url = reverse("volunteers:index")

    def names(page):
        return [v.last_name for v in page.object_list]

    def read(ctx):
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        if "COALESCE" in sql:
            return "sorted"
        return "in order" if '"volunteers_volunteer"."last_name" <= ' in sql else "by id"

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"q": "sossou"})
    first = response.context["page"]
    assert read(ctx) == way
    assert first.paginator.count == min(7, cap)
    assert names(first) == ["Sossou-0", "Sossou-1", "Sossou-2"]
    with CaptureQueriesContext(connection) as deeper:
        second = client.get(url, {"q": "sossou", "page": 2}).context["page"]
    assert names(second) == ["Sossou-3", "Sossou-4", "Sossou-5"]
    assert len(deeper.captured_queries) == len(ctx.captured_queries)  # a later page: no more
    if cap > 7:
        last = client.get(url, {"q": "sossou", "page": 3}).context["page"]
        assert names(last) == ["Sossou-6"] and not last.has_next()
        assert client.get(url, {"q": "sossou", "page": 9}).context["page"].number == 3
    else:  # the last numbered page goes on after its last row
        capped = client.get(url, {"q": "sossou", "page": 9})
        assert capped.context["page"].number == 2 and capped.context["page"].paginator.is_capped
        after = client.get(url, {"q": "sossou", "after": capped.context["next_position"]})
        assert names(after.context["page"]) == ["Sossou-6"]
    assert client.get(url, {"q": "nobody"}).context["page"].paginator.count == 0
    assert names(client.get(url, {"q": "amegah"}).context["page"]) == ["Amégah"]


def test_a_search_too_short_asks_for_more_characters(client, django_user_model):
    """One or two letters match most of a register: the list says so and does not search."""
    from agencies.models import Agency, Membership

    agency = Agency.objects.create(name="Agence", acronym="AGT", country="TG")
    user = django_user_model.objects.create_user("short-search")
    Membership.objects.create(user=user, agency=agency, role="officer")
    client.force_login(user)
    response = client.get(reverse("volunteers:index"), {"q": "ko"})
    assert response.status_code == 200
    assert response.context["search_too_short"] == "ko"
    assert b'data-testid="search-too-short"' in response.content
    searched = client.get(reverse("volunteers:index"), {"q": "kof"})
    assert searched.context["search_too_short"] == ""
    assert b'data-testid="search-too-short"' not in searched.content


def test_the_volunteer_form_writes_its_selects_without_a_template_per_option(client, login, demo):
    """The countries (twice), the languages of each formset row: written in Python
    (``core.widgets.QuickSelect``), where Django's option template made the form 80-100 ms."""
    from django.test.signals import template_rendered

    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    login("anvt-officer")
    template_rendered.connect(seen)
    try:
        page = client.get(reverse("volunteers:create")).content.decode()
    finally:
        template_rendered.disconnect(seen)
    assert "django/forms/widgets/select_option.html" not in rendered
    assert 'name="nationality" required><option value="">---------</option>' in page
    assert '<option value="TG" selected>Togo</option>' in page  # the agency's country
    assert 'name="languages-0-language"' in page


def test_the_e_mail_check_reads_the_unique_e_mail_index(client, login, demo):
    """``lower(email)`` beside ``email <> ''``, as the partial unique index reads it: with
    ``iexact`` (UPPER) the check read every volunteer of the agency (200 ms for 100,000)."""
    login("anvt-officer")
    existing = anvt_volunteer()
    with CaptureQueriesContext(connection) as ctx:
        client.post(reverse("volunteers:create"), form_data(email=existing.email))
    sql = [q["sql"] for q in ctx.captured_queries]
    assert any('LOWER("volunteers_volunteer"."email")' in one for one in sql)
    assert not any('UPPER("volunteers_volunteer"."email"' in one for one in sql)


def test_the_agency_filter_offers_each_user_their_own_agencies_one_after_the_other(db):
    """The filter set copies its filters without deep copies: what one user's list sets on
    them (the agencies offered) stays on that list, and the class's filters keep nothing."""
    from volunteers.filters import VolunteerFilter

    first = MembershipFactory(role="officer")
    second = MembershipFactory(role="officer", user=first.user)
    elsewhere = MembershipFactory(role="officer")
    admin = django_user_model_admin()
    base = VolunteerFilter.base_filters["sending_agency"]
    declared = (base.queryset, base.extra["queryset"])

    def offered(user, data=None):
        filterset = VolunteerFilter(data, queryset=Volunteer.objects.all(), user=user)
        field = filterset.form.fields.get("sending_agency")
        return filterset, None if field is None else set(field.queryset)

    _, everyone = offered(admin)
    assert {first.agency, second.agency, elsewhere.agency} <= everyone
    _, mine = offered(first.user)
    assert mine == {first.agency, second.agency}
    assert offered(elsewhere.user)[1] is None  # one agency: no agency filter
    refused, _ = offered(first.user, {"sending_agency": str(elsewhere.agency.pk)})
    assert not refused.form.is_valid() and "sending_agency" in refused.form.errors
    assert (base.queryset, base.extra["queryset"]) == declared and not hasattr(base, "_field")
    assert not list(base.queryset)  # as declared: none


def django_user_model_admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root-filter", "root@example.org", "x" * 12)


def test_the_name_sort_orders_a_shared_last_name_by_first_name(client, login, demo):
    """As the default order does: not by the id among the people who share a last name."""
    officer = login("anvt-officer")
    agency = officer.memberships.get().agency
    for first in ("Yawa", "Abla", "Kokou"):  # created in this order: the ids disagree
        VolunteerFactory(sending_agency=agency, last_name="Zzkpatcha", first_name=first)
    url = reverse("volunteers:index")
    for ordering, expected in (
        ("name", ["Abla", "Kokou", "Yawa"]),
        ("-name", ["Yawa", "Kokou", "Abla"]),
    ):
        page = client.get(url, {"ordering": ordering, "q": "Zzkpatcha"}).context["page"]
        assert [v.first_name for v in page.object_list] == expected, ordering


def test_an_apostrophe_typed_either_way_is_the_same_name(client, login, demo):
    """’ (a phone, a word processor) and ' (a keyboard): the same person is refused twice,
    and either spelling of the search finds both."""
    officer = login("anvt-officer")
    agency = officer.memberships.get().agency
    VolunteerFactory(
        sending_agency=agency, first_name="Essi", last_name="Zz’Tcha",
        birth_date=datetime.date(2001, 8, 21),
    )  # fmt: skip
    VolunteerFactory(sending_agency=agency, first_name="Kafui", last_name="Zz'Tcha")
    response = client.post(
        reverse("volunteers:create"),
        form_data(first_name="ESSI", last_name="Zz'Tcha", birth_date="2001-08-21"),
    )
    assert "déjà un volontaire avec ce nom et cette date de naissance" in response.content.decode()
    assert (
        Volunteer.objects.filter(first_name__iexact="essi", last_name__contains="Zz").count() == 1
    )
    for term in ("Zz'Tcha", "ZZ’TCHA", "zz‘tcha"):
        page = client.get(reverse("volunteers:index"), {"q": term}).context["page"]
        assert sorted(v.first_name for v in page.object_list) == ["Essi", "Kafui"], term


@pytest.mark.parametrize(
    ("language", "ascending", "descending"),
    [
        ("fr", "Date de naissance", "Date de naissance (décroissant)"),
        ("en", "Birth date", "Birth date (descending)"),
        ("es", "Fecha de nacimiento", "Fecha de nacimiento (descendente)"),
    ],
)
def test_the_sorts_are_named_in_the_pages_language(db, client, language, ascending, descending):
    """django-filters writes a descending sort's label once, in the language of the import:
    the English page offered "Date de naissance (décroissant)" (an exploratory walk)."""
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("volunteers:index"), {"ordering": "-birth_date"}).content.decode()
    start = page.index('name="ordering"')
    select = page[start : page.index("</select>", start)]
    assert f'<option value="birth_date">{ascending}</option>' in select
    assert f'<option value="-birth_date" selected>{descending}</option>' in select


def test_an_inverted_age_range_is_said_so(db, client):
    membership = MembershipFactory(role="officer")
    client.force_login(membership.user)
    response = client.get(reverse("volunteers:index"), {"age_min": "30", "age_max": "20"})
    assert response.status_code == 200
    assert "L’âge maximal est inférieur à l’âge minimal." in response.content.decode()
