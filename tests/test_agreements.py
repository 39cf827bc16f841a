"""The agreement pages: who sees what, forms with their quota rows, actions, versions, document."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Theme
from devtools.demo import demo_pdf
from exchanges.models import Agreement, Approval
from exchanges.services import agreement_submit
from exchanges.validators import MAX_DOCUMENT_SIZE
from tests.factories import AgencyFactory, MembershipFactory, make_agreement

ML = "VIR-TG-ML-2017"


def agreement(reference=ML):
    return Agreement.objects.get(reference=reference)


def form_data(agreement=None, *, quotas=None, **overrides):
    """POST data for the agreement form and its quota rows (``(cohort, "ab"|"ba", places)``)."""
    if agreement is not None:
        data = {
            "reference": agreement.reference,
            "title": agreement.title,
            "start_date": agreement.start_date.isoformat(),
            "end_date": agreement.end_date.isoformat(),
            "themes": [t.pk for t in agreement.themes.all()],
            "min_age": agreement.min_age,
            "max_age": agreement.max_age,
            "min_experience_days": agreement.min_experience_days,
            "min_duration_months": agreement.min_duration_months,
            "max_duration_months": agreement.max_duration_months,
            "imbalance_threshold": agreement.imbalance_threshold,
            "language_requirements": agreement.language_requirements,
            "notes": agreement.notes,
        }
        if quotas is None:
            quotas = [
                (q.cohort, "ab" if q.sending_id == agreement.party_a_id else "ba", q.places)
                for q in agreement.quotas.order_by("cohort", "sending__acronym")
            ]
        initial = agreement.quotas.count()
    else:
        data = {
            "reference": "vir-tg-ml-2019",
            "title": "Deuxième promotion Togo–Mali",
            "start_date": "2019-10-01",
            "end_date": "2020-09-30",
            "themes": [Theme.objects.get(code="health").pk],
            "min_age": 18,
            "max_age": 25,
            "min_experience_days": 730,
            "min_duration_months": 6,
            "max_duration_months": 12,
            "imbalance_threshold": 2,
            "language_requirements": "Français.",
            "notes": "",
        }
        initial = 0
    data.update(
        {
            "quotas-TOTAL_FORMS": len(quotas or []),
            "quotas-INITIAL_FORMS": initial,
            "quotas-MIN_NUM_FORMS": 0,
            "quotas-MAX_NUM_FORMS": 1000,
        }
    )
    for i, (cohort, way, places) in enumerate(quotas or []):
        data.update(
            {
                f"quotas-{i}-cohort": cohort,
                f"quotas-{i}-direction": way,
                f"quotas-{i}-places": places,
                f"quotas-{i}-duration_months": "",
            }
        )
    data.update(overrides)
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["vase-officer", "vase-manager", "gip-pnvb-manager"])
def test_a_third_agency_gets_404_on_the_agreement_its_versions_and_its_document(
    client, login, demo, username
):
    login(username)
    pk = agreement().pk
    assert agreement().document
    for name, args in [
        ("exchanges:detail", [pk]),
        ("exchanges:versions", [pk]),
        ("exchanges:version", [pk, 1]),
        ("exchanges:compare", [pk]),
        ("exchanges:document", [pk]),
        ("exchanges:edit", [pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name in ["submit", "approve", "suspend", "resume", "terminate"]:
        response = client.post(reverse(f"exchanges:{name}", args=[pk]), {"reason": "x"})
        assert response.status_code == 404, name
    listed = client.get(reverse("exchanges:index")).content.decode()
    assert ML not in listed


@pytest.mark.parametrize(
    "username, references",
    [
        ("anvt-partner", {"VIR-TG-ML-2017", "VIR-TG-FR-2015", "VIR-TG-EC-2017", "BF"}),
        ("cnpv-evaluator", {"VIR-TG-ML-2017"}),
        ("vase-officer", {"VIR-TG-EC-2017"}),
        # the draft under negotiation is seen by both parties; the programme's agreement too
        ("gip-pnvb-partner", {"BF", "TV-FR-BF-2023"}),
        ("asc-manager", set()),
        ("admin", {"VIR-TG-ML-2017", "VIR-TG-FR-2015", "VIR-TG-EC-2017", "BF", "TV-FR-BF-2023"}),
    ],
)
def test_the_list_shows_the_agreements_the_users_agencies_are_party_to(
    client, login, demo, username, references
):
    login(username)
    page = client.get(reverse("exchanges:index"))
    shown = {a.reference for a in page.context["page"].object_list}
    assert {"BF" if r.startswith("VIR-TG-BF") else r for r in shown} == references
    if not references:
        assert "n’est partie à aucune convention" in page.content.decode()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"partner": "CNPV"}, {"VIR-TG-ML-2017"}),
        ({"status": "closed"}, {"VIR-TG-FR-2015"}),
        ({"status": "active"}, {"VIR-TG-ML-2017", "VIR-TG-EC-2017"}),
        ({"status": "draft"}, {"BF"}),
        ({"year": 2015}, {"VIR-TG-FR-2015"}),
        ({"year": 2017}, {"VIR-TG-ML-2017", "VIR-TG-EC-2017"}),
        ({"theme": "decentralisation"}, {"BF"}),
        ({"theme": "health", "year": 2015}, {"VIR-TG-FR-2015"}),
        ({"q": "Équateur"}, {"VIR-TG-EC-2017"}),
        ({"q": "vir-tg-ml"}, {"VIR-TG-ML-2017"}),
    ],
)
def test_the_list_filters_by_partner_status_year_and_theme(client, login, demo, params, expected):
    login("anvt-officer")
    if "partner" in params:
        params["partner"] = Agency.objects.get(acronym=params["partner"]).pk
    if "theme" in params:
        params["theme"] = Theme.objects.get(code=params["theme"]).pk
    page = client.get(reverse("exchanges:index"), params)
    shown = {a.reference for a in page.context["page"].object_list}
    assert {"BF" if r.startswith("VIR-TG-BF") else r for r in shown} == expected


def test_the_list_offers_only_the_agencies_partners_as_a_filter(client, login, demo):
    login("cnpv-officer")
    form = client.get(reverse("exchanges:index")).context["form"]
    assert [label for _pk, label in form.fields["partner"].choices] == ["---------", "ANVT"]


# --- Query counts ---------------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_issues_the_same_number_of_queries_for_3_and_30_agreements(db, client):
    membership = MembershipFactory(role="manager")
    themes = [Theme.objects.create(code=f"t{i}", name=f"T{i}") for i in range(2)]
    client.force_login(membership.user)

    def grow_to(n):
        while Agreement.objects.count() < n:
            make_agreement(party_a=membership.agency, author=membership.user, themes=themes)

    url = reverse("exchanges:index")
    grow_to(3)
    small = _count_queries(client, url)
    grow_to(30)
    large = _count_queries(client, url)
    assert small == large
    assert large <= 12


def test_the_list_rows_written_in_python_show_each_cell_escaped(db, client):
    """``agreement_rows`` writes the list's rows without the template engine: the reference,
    title, parties, period, themes, places each way and state, every value escaped."""
    membership = MembershipFactory(role="manager")
    partner = AgencyFactory(acronym="P&Q")
    theme = Theme.objects.create(code="t<1>", name="Santé <b>")
    agreement = make_agreement(
        party_a=membership.agency, party_b=partner, author=membership.user, themes=[theme],
        title="<script>alert(1)</script>", quotas=[(2017, "ab", 4), (2017, "ba", 2)],
    )  # fmt: skip
    client.force_login(membership.user)
    html = client.get(reverse("exchanges:index")).content.decode()
    me = membership.agency.acronym
    assert (
        f'href="{reverse("exchanges:detail", args=[agreement.pk])}">{agreement.reference}<' in html
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert f"{me} ⇄ P&amp;Q" in html
    assert f'title="{me} → P&amp;Q / P&amp;Q → {me}">4 / 2</td>' in html
    assert "Santé &lt;b&gt;</span>" in html
    start, end = agreement.start_date, agreement.end_date
    assert f"{start:%d/%m/%Y} – {end:%d/%m/%Y}" in html
    assert 'data-testid="state">Brouillon</span>' in html


@pytest.mark.parametrize("url_name", ["exchanges:detail", "exchanges:versions"])
def test_detail_and_versions_issue_the_same_number_of_queries_for_few_and_many_rows(
    db, client, url_name
):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    rows = [(2000 + year, way, year) for year in range(2) for way in ("ab", "ba")]
    agreement = make_agreement(
        party_a=membership.agency,
        author=membership.user,
        quotas=rows,
        start_date=datetime.date(2000, 1, 1),
    )
    url = reverse(url_name, args=[agreement.pk])

    def grow_to(n):
        from exchanges.services import agreement_update
        from tests.factories import current_quotas

        while agreement.quotas.count() < n:
            fresh = Agreement.objects.get(pk=agreement.pk)
            year = 2000 + agreement.quotas.count()
            quotas = current_quotas(fresh)
            quotas.append(type(quotas[0])(year, fresh.party_a_id, fresh.party_b_id, 1))
            agreement_update(agreement=fresh, themes=[], quotas=quotas, user=membership.user)

    small = _count_queries(client, url)
    grow_to(20)
    assert agreement.versions.count() > 10
    large = _count_queries(client, url)
    assert small == large
    assert large <= 14


# --- Creating and editing -------------------------------------------------------------------


def test_a_manager_creates_an_agreement_with_its_quotas_in_one_page(client, login, demo):
    user = login("anvt-manager")
    cnpv = Agency.objects.get(acronym="CNPV")
    data = form_data(quotas=[("2019", "ab", 3), ("2019", "ba", 2)], party_b=cnpv.pk)
    response = client.post(reverse("exchanges:create"), data)
    created = Agreement.objects.get(reference="VIR-TG-ML-2019")
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert (created.party_a.acronym, created.party_b, created.created_by) == ("ANVT", cnpv, user)
    assert sorted(
        created.quotas.values_list("sending__acronym", "receiving__acronym", "places")
    ) == [("ANVT", "CNPV", 3), ("CNPV", "ANVT", 2)]
    assert created.current_version.number == 1
    assert created.status == "draft"


def test_the_create_form_refuses_two_quotas_for_one_cohort_and_direction(client, login, demo):
    login("anvt-manager")
    cnpv = Agency.objects.get(acronym="CNPV")
    data = form_data(quotas=[("2019", "ab", 3), ("2019", "ab", 2)], party_b=cnpv.pk)
    response = client.post(reverse("exchanges:create"), data)
    assert response.status_code == 200
    assert "a deux quotas dans le même sens" in response.content.decode()
    data = form_data(quotas=[("2019", "ab", -1)], party_b=cnpv.pk, end_date="2018-01-01")
    page = client.post(reverse("exchanges:create"), data).content.decode()
    assert "La date de fin doit suivre la date de début" in page
    assert "supérieure ou égale à 0" in page
    assert not Agreement.objects.filter(reference="VIR-TG-ML-2019").exists()


def test_an_agreement_is_with_another_agency(client, login, demo):
    login("anvt-manager")
    anvt = Agency.objects.get(acronym="ANVT")
    response = client.post(reverse("exchanges:create"), form_data(party_b=anvt.pk, quotas=[]))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_partner_edits_a_quota_of_an_approved_agreement_and_both_must_approve_again(
    client, login, demo
):
    login("cnpv-manager")
    ml = agreement()
    v1 = ml.current_version
    next_year = datetime.date.today().year + 1
    data = form_data(
        ml,
        quotas=[("2017", "ab", 5), ("2017", "ba", 2), (next_year, "ab", 4), (next_year, "ba", 2)],
    )
    response = client.post(reverse("exchanges:edit", args=[ml.pk]), data, follow=True)
    assert "Version 2 enregistrée : les deux parties doivent l’approuver." in messages_of(response)
    ml = agreement()
    assert ml.current_version.number == 2 and ml.current_version.sha256 != v1.sha256
    assert ml.last_approved_version == v1 and ml.has_pending_changes
    page = response.content.decode()
    assert "Modifications en attente d’approbation" in page
    assert page.count("pas encore approuvée") == 2
    assert "Approuver la version 2 au nom de CNPV" in page

    compare = client.get(reverse("exchanges:compare", args=[ml.pk]))
    assert (compare.context["old"].number, compare.context["new"].number) == (1, 2)
    [change] = compare.context["comparison"].quotas
    assert (change.sending, change.old["places"], change.new["places"]) == ("ANVT", 4, 5)


def test_approving_an_old_version_is_refused(client, login, demo):
    login("cnpv-manager")
    ml = agreement()
    client.post(
        reverse("exchanges:edit", args=[ml.pk]),
        form_data(ml, quotas=[("2017", "ab", 5), ("2017", "ba", 2)]),
    )
    response = client.post(reverse("exchanges:approve", args=[ml.pk]), {"version": 1}, follow=True)
    assert any("n’est pas la version actuelle" in m for m in messages_of(response))
    assert not Approval.objects.filter(version=agreement().current_version).exists()
    # A form altered or cut short names no version: said so, not "version 0".
    for sent in ({"version": "abc"}, {}):
        response = client.post(reverse("exchanges:approve", args=[ml.pk]), sent, follow=True)
        assert any("ne désigne aucune version" in m for m in messages_of(response))
    assert not Approval.objects.filter(version=agreement().current_version).exists()


def test_submit_then_both_managers_approve_through_the_pages(client, login, demo):
    bf = Agreement.objects.get(reference__startswith="VIR-TG-BF")
    login("anvt-manager")
    detail = reverse("exchanges:detail", args=[bf.pk])
    assert "Soumettre à l’approbation" in client.get(detail).content.decode()
    client.post(reverse("exchanges:submit", args=[bf.pk]))
    assert Agreement.objects.get(pk=bf.pk).status == "submitted"
    client.post(reverse("exchanges:approve", args=[bf.pk]), {"version": 1})
    login("gip-pnvb-manager")
    page = client.get(detail).content.decode()
    assert "ANVT : approuvée par" in page and "GIP-PNVB : pas encore approuvée" in page
    response = client.post(reverse("exchanges:approve", args=[bf.pk]), {"version": 1}, follow=True)
    assert "Votre approbation est enregistrée." in messages_of(response)
    bf = Agreement.objects.get(pk=bf.pk)
    assert bf.status == "approved" and bf.last_approved_version.number == 1
    assert set(bf.current_version.approvals.values_list("agency__acronym", flat=True)) == {
        "ANVT",
        "GIP-PNVB",
    }


def test_readers_see_no_buttons_and_are_refused_changes(client, login, demo):
    login("anvt-officer")
    ml = agreement()
    page = client.get(reverse("exchanges:detail", args=[ml.pk])).content.decode()
    for url in [
        reverse("exchanges:edit", args=[ml.pk]),
        reverse("exchanges:suspend", args=[ml.pk]),
    ]:
        assert url not in page
    assert client.get(reverse("exchanges:edit", args=[ml.pk])).status_code == 403
    assert client.get(reverse("exchanges:create")).status_code == 403


def test_a_terminated_agreement_can_no_longer_be_edited(client, login, demo):
    login("anvt-manager")
    ml = agreement()
    response = client.post(
        reverse("exchanges:terminate", args=[ml.pk]), {"reason": "Fin du programme"}, follow=True
    )
    assert "Convention résiliée." in messages_of(response)
    assert "Résiliée : Fin du programme" in response.content.decode()
    edit = client.get(reverse("exchanges:edit", args=[ml.pk]))
    assert edit.status_code == 302 and edit.url == ml.get_absolute_url()


# --- The signed document --------------------------------------------------------------------


def test_only_a_pdf_of_at_most_10_mb_is_accepted(client, login, demo):
    login("anvt-manager")
    ml = agreement()
    url = reverse("exchanges:edit", args=[ml.pk])
    fake = SimpleUploadedFile("accord.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    page = client.post(url, {**form_data(ml), "document": fake}).content.decode()
    assert "Le fichier n’est pas un document PDF." in page
    huge = SimpleUploadedFile(
        "accord.pdf", b"%PDF-1.4\n" + b"0" * MAX_DOCUMENT_SIZE, "application/pdf"
    )
    page = client.post(url, {**form_data(ml), "document": huge}).content.decode()
    assert "Le fichier est trop volumineux" in page
    assert agreement().document.name == ml.document.name


def test_the_signed_pdf_is_downloaded_by_the_parties_only(client, login, demo, settings):
    login("anvt-manager")
    ml = agreement()
    pdf = demo_pdf("Convention signee")
    upload = SimpleUploadedFile("scan.PDF", pdf, "application/octet-stream")
    response = client.post(
        reverse("exchanges:edit", args=[ml.pk]), {**form_data(ml), "document": upload}
    )
    assert response.status_code == 302
    stored = agreement().document
    assert stored.name.startswith("agreements/") and "scan" not in stored.name
    assert (settings.MEDIA_ROOT / stored.name).read_bytes() == pdf
    assert agreement().current_version.number == 1  # the document is not substance

    login("cnpv-partner")
    download = client.get(reverse("exchanges:document", args=[ml.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="VIR-TG-ML-2017.pdf"'
    assert b"".join(download.streaming_content) == pdf
    login("vase-manager")
    assert client.get(reverse("exchanges:document", args=[ml.pk])).status_code == 404


def test_a_manager_removes_the_document_and_the_file_stays_archived(client, login, demo, settings):
    login("cnpv-manager")
    ml = agreement()
    stored = settings.MEDIA_ROOT / ml.document.name
    page = client.get(reverse("exchanges:edit", args=[ml.pk])).content.decode()
    assert ml.document.name not in page  # the storage name is never shown nor linked
    response = client.post(
        reverse("exchanges:edit", args=[ml.pk]), {**form_data(ml), "remove_document": "on"}
    )
    assert response.status_code == 302
    assert not agreement().document
    assert stored.exists()
    assert client.get(reverse("exchanges:document", args=[ml.pk])).status_code == 404


def test_an_agreement_without_document_answers_404_on_download(client, login, demo):
    login("anvt-manager")
    ec = agreement("VIR-TG-EC-2017")
    assert client.get(reverse("exchanges:document", args=[ec.pk])).status_code == 404


# --- Versions and admin ---------------------------------------------------------------------


def test_the_version_pages_show_the_approved_text_and_who_approved_it(client, login, demo):
    login("cnpv-partner")
    ml = agreement()
    versions = client.get(reverse("exchanges:versions", args=[ml.pk])).content.decode()
    assert "dernière approuvée" in versions and ml.current_version.sha256[:12] in versions
    page = client.get(reverse("exchanges:version", args=[ml.pk, 1])).content.decode()
    assert ml.current_version.sha256 in page
    assert "ANVT : approuvée par ANVT " in page
    assert "Prévention et santé" in page and "de 18 à 25 ans" in page
    assert client.get(reverse("exchanges:version", args=[ml.pk, 9])).status_code == 404
    missing = client.get(reverse("exchanges:compare", args=[ml.pk]), {"old": 1, "new": 7})
    assert missing.status_code == 404
    # Past the database's integers (typed in the address): refused by the form, nothing
    # compared, the choices offered again.
    huge = client.get(
        reverse("exchanges:compare", args=[ml.pk]), {"old": 1, "new": "99999999999999999999"}
    )
    assert huge.status_code == 200 and huge.context["comparison"] is None
    assert "new" in huge.context["form"].errors


def test_the_admin_lists_agreements_versions_and_approvals(client, login, demo):
    login("admin")
    ml = agreement()
    for url in [
        reverse("admin:exchanges_agreement_changelist") + "?q=CNPV",
        reverse("admin:exchanges_agreement_change", args=[ml.pk]),
        reverse("admin:exchanges_agreement_history", args=[ml.pk]),
        reverse("admin:exchanges_agreementversion_changelist"),
        reverse("admin:exchanges_agreementversion_change", args=[ml.current_version.pk]),
        reverse("admin:exchanges_approval_changelist"),
        reverse("admin:exchanges_quota_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_correction_in_the_admin_is_a_new_version(client, login, demo):
    admin = login("admin")
    quota = agreement().quotas.get(cohort=2017, sending__acronym="ANVT")
    response = client.post(
        reverse("admin:exchanges_quota_change", args=[quota.pk]),
        {
            "agreement": quota.agreement_id,
            "cohort": "2017",
            "sending": quota.sending_id,
            "receiving": quota.receiving_id,
            "places": 6,
            "duration_months": "",
        },
    )
    assert response.status_code == 302
    ml = agreement()
    assert ml.current_version.number == 2 and ml.current_version.created_by == admin
    assert ml.has_pending_changes


def test_the_demo_agreements_follow_the_seeds(demo):
    ml = agreement()
    assert (ml.party_a.acronym, ml.party_b.acronym, ml.phase) == ("ANVT", "CNPV", "active")
    next_year = datetime.date.today().year + 1
    assert sorted(ml.quotas.values_list("cohort", "sending__acronym", "places")) == [
        (2017, "ANVT", 4),
        (2017, "CNPV", 2),
        # The places of next year's cohort, under which the open missions start.
        (next_year, "ANVT", 4),
        (next_year, "CNPV", 2),
    ]
    assert ml.current_version.approvals.count() == 2 and not ml.has_pending_changes
    fr = agreement("VIR-TG-FR-2015")
    assert fr.party_b.acronym == "FV" and "Service Civique" in fr.notes
    assert list(fr.quotas.values_list("sending__acronym", "receiving__acronym", "places")) == [
        ("ANVT", "FV", 4)
    ]
    ec = agreement("VIR-TG-EC-2017")
    assert ec.last_approved_version and ec.quotas.filter(sending__acronym="VASE").exists()
    bf = Agreement.objects.get(reference__startswith="VIR-TG-BF")
    assert (bf.party_b.acronym, bf.status, bf.versions.count()) == ("GIP-PNVB", "draft", 1)


def test_agreements_do_not_leak_between_unrelated_new_agencies(db, client):
    mine = MembershipFactory(role="partner")
    make_agreement(party_a=AgencyFactory(), party_b=AgencyFactory(), reference="VIR-OTHER")
    own = make_agreement(party_b=mine.agency, reference="VIR-MINE")
    client.force_login(mine.user)
    shown = client.get(reverse("exchanges:index")).context["page"].object_list
    assert [a.reference for a in shown] == ["VIR-MINE"]
    agreement_submit(agreement=own, user=get_user_model().objects.get(pk=own.created_by_id))
    assert client.get(reverse("exchanges:detail", args=[own.pk])).status_code == 200


def test_every_agreement_is_reached_past_the_count_in_the_lists_order(db, client, monkeypatch):
    """Newest first, then by reference: past the counted pages, "next" goes on after the last
    agreement shown."""
    import exchanges.views
    from core.pagination import CappedPaginator
    from tests.factories import AgreementFactory

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(exchanges.views, "PAGE_SIZE", 2)
    agency = AgencyFactory()
    for i, year in enumerate([2017, 2019, 2019, 2018, 2019, 2017, 2020]):
        AgreementFactory(
            party_a=agency,
            reference=f"VIR-{'BAC'[i % 3]}-{i}",
            start_date=datetime.date(year, 1, 1),
        )
    client.force_login(MembershipFactory(agency=agency, role="officer").user)
    url = reverse("exchanges:index")
    expected = list(
        Agreement.objects.order_by("-start_date", "reference", "pk").values_list("pk", flat=True)
    )
    seen = []
    for number in (1, 2):
        page = client.get(url, {"page": number})
        seen += [a.pk for a in page.context["page"].object_list]
    assert "Plus de 4 conventions." in page.content.decode()
    position = page.context["next_position"]
    while position:
        page = client.get(url, {"after": position})
        assert page.context["page"].is_keyset
        seen += [a.pk for a in page.context["page"].object_list]
        position = page.context["next_position"]
    assert seen == expected and len(seen) == 7
