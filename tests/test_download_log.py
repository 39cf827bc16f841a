"""One log of the downloads of personal and agreement data: every download view writes it before
answering, and the managers of the agency that acted read it on their own page."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, DownloadRecord
from devtools.demo import demo_pdf
from exchanges.models import Agreement
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from volunteers.models import Experience, Volunteer

Kind = DownloadRecord.Kind
LOG = reverse("agencies:download_log")


def anvt_volunteer():
    return Volunteer.objects.filter(sending_agency__acronym="ANVT").order_by("pk").first()


def pilot_agreement():
    return Agreement.objects.get(reference="VIR-TG-ML-2017")


def last_record():
    return DownloadRecord.objects.order_by("-pk").first()


def record(agency, *, username="someone", kind=Kind.REPORT, label="file.pdf", at=None):
    user = UserFactory(username=username)
    return DownloadRecord.objects.create(
        kind=kind,
        object_id=1,
        label=label,
        agency=agency,
        user=user,
        username=username,
        at=at or timezone.now(),
    )


# --- Every download is recorded ---------------------------------------------------------------


def test_it_records_the_personal_data_download_with_who_what_agency_and_ip(client, login, demo):
    volunteer = anvt_volunteer()
    user = login("anvt-manager")
    before = DownloadRecord.objects.count()
    response = client.get(reverse("volunteers:personal_data", args=[volunteer.pk]))
    assert response.status_code == 200
    assert DownloadRecord.objects.count() == before + 1
    entry = last_record()
    assert (entry.kind, entry.object_id, entry.label) == (
        Kind.PERSONAL_DATA,
        volunteer.pk,
        volunteer.full_name,
    )
    assert (entry.user, entry.username, entry.agency.acronym) == (user, "anvt-manager", "ANVT")
    assert entry.ip == "127.0.0.1"


def test_it_records_the_signed_agreement_for_the_party_that_downloads_it(client, login, demo):
    agreement = pilot_agreement()
    login("cnpv-partner")
    response = client.get(reverse("exchanges:document", args=[agreement.pk]))
    assert response.status_code == 200
    entry = last_record()
    assert (entry.kind, entry.object_id, entry.label) == (
        Kind.AGREEMENT_DOCUMENT,
        agreement.pk,
        "VIR-TG-ML-2017",
    )
    assert (entry.username, entry.agency.acronym) == ("cnpv-partner", "CNPV")


def test_it_records_a_proof_document(client, login, demo):
    experience = Experience.objects.filter(volunteer=anvt_volunteer()).first()
    experience.proof.save("p.pdf", ContentFile(demo_pdf("Attestation")), save=False)
    experience.proof_name = "attestation.pdf"
    experience.save()
    login("anvt-officer")
    response = client.get(reverse("volunteers:proof", args=[experience.pk]))
    assert response.status_code == 200
    entry = last_record()
    assert (entry.kind, entry.object_id, entry.username) == (
        Kind.PROOF,
        experience.pk,
        "anvt-officer",
    )
    assert entry.label == f"{experience.volunteer.full_name} — attestation.pdf"
    assert entry.agency.acronym == "ANVT"


def test_a_refused_download_records_nothing(client, login, demo):
    before = DownloadRecord.objects.count()
    login("vase-officer")
    assert client.get(reverse("exchanges:document", args=[pilot_agreement().pk])).status_code == 404
    login("anvt-officer")
    volunteer = anvt_volunteer()
    assert client.get(reverse("volunteers:personal_data", args=[volunteer.pk])).status_code == 403
    assert DownloadRecord.objects.count() == before


def test_a_member_of_two_agencies_is_recorded_for_the_agency_the_object_concerns(
    client, login, demo
):
    """Acting for VASE, a manager of both VASE and ANVT takes an ANVT volunteer's data: the
    record goes to ANVT, whose managers must see it."""
    user = login("vase-manager")
    MembershipFactory(user=user, agency=Agency.objects.get(acronym="ANVT"), role="manager")
    client.post(reverse("agencies:switch"), {"agency": Agency.objects.get(acronym="VASE").pk})
    volunteer = anvt_volunteer()
    assert client.get(reverse("volunteers:personal_data", args=[volunteer.pk])).status_code == 200
    assert last_record().agency.acronym == "ANVT"


# --- The managers' page -----------------------------------------------------------------------


def test_a_manager_sees_the_downloads_of_the_agency_they_act_for_newest_first(client, login, demo):
    login("anvt-manager")
    page = client.get(LOG)
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert rows and {r.agency.acronym for r in rows} == {"ANVT"}
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert "VIR-TG-ML-2017" in page.content.decode()  # the demo's signed agreement download
    # CNPV's manager's download of the evaluation report is CNPV's business.
    assert "cnpv-manager" not in page.content.decode()
    login("cnpv-manager")
    assert "cnpv-manager" in client.get(LOG).content.decode()


def test_the_navigation_links_the_log_for_managers_only(client, login, demo):
    login("anvt-manager")
    assert f'href="{LOG}"' in client.get(reverse("home")).content.decode()
    for username in ["anvt-officer", "anvt-evaluator", "anvt-partner", "admin"]:
        login(username)
        assert f'href="{LOG}"' not in client.get(reverse("home")).content.decode()
        assert client.get(LOG).status_code == 403


def test_it_filters_by_kind_user_and_days(client, db):
    agency = AgencyFactory()
    client.force_login(MembershipFactory(agency=agency, role="manager").user)
    now = timezone.now()
    record(agency, username="alice", kind=Kind.REPORT, at=now - datetime.timedelta(days=10))
    record(agency, username="bob", kind=Kind.PROOF, at=now - datetime.timedelta(days=1))
    record(agency, username="alicia", kind=Kind.PERSONAL_DATA, at=now)

    def names(**query):
        response = client.get(LOG, query)
        assert response.status_code == 200
        return [r.username for r in response.context["page"].object_list]

    assert names() == ["alicia", "bob", "alice"]
    assert names(kind="proof") == ["bob"]
    assert names(user="ALI") == ["alicia", "alice"]
    today = timezone.localdate()
    assert names(since=today - datetime.timedelta(days=2)) == ["alicia", "bob"]
    assert names(until=today - datetime.timedelta(days=2)) == ["alice"]
    assert names(since=today, until=today, user="ali") == ["alicia"]
    # A filter that is not one leaves the list whole and says what is wrong.
    response = client.get(LOG, {"since": "not a date", "kind": "nonsense"})
    assert len(response.context["page"].object_list) == 3
    assert response.context["form"].errors.keys() == {"since", "kind"}


def test_it_pages_newest_first_and_keeps_the_filters_on_the_next_page(client, db):
    agency = AgencyFactory()
    client.force_login(MembershipFactory(agency=agency, role="manager").user)
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(52):
        record(agency, username=f"user-{n:02}", at=start + datetime.timedelta(minutes=n))
    first = client.get(LOG, {"kind": "report"})
    assert [r.username for r in first.context["page"]][:2] == ["user-51", "user-50"]
    assert 'href="?kind=report&amp;page=2"' in first.content.decode()
    second = client.get(LOG, {"kind": "report", "page": 2})
    assert [r.username for r in second.context["page"]] == ["user-01", "user-00"]


def test_a_page_number_past_any_log_shows_an_empty_page(client, db):
    """Typed in the address, a page number whose offset would overflow the database's integers
    is read as the deepest page (an empty one), not an error."""
    agency = AgencyFactory()
    client.force_login(MembershipFactory(agency=agency, role="manager").user)
    record(agency, username="alice")
    response = client.get(LOG, {"page": "300000000000000000"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_a_deleted_user_leaves_a_readable_record(client, db):
    agency = AgencyFactory()
    client.force_login(MembershipFactory(agency=agency, role="manager").user)
    entry = record(agency, username="gone-officer", label="VIR-XX-2020")
    entry.user.delete()
    entry.refresh_from_db()
    assert entry.user is None and entry.username == "gone-officer"
    page = client.get(LOG).content.decode()
    assert "gone-officer" in page and "VIR-XX-2020" in page


@pytest.mark.parametrize("language, text", [("fr", "Journal des téléchargements"),
                                            ("en", "Download log")])  # fmt: skip
def test_the_page_speaks_the_users_language(client, db, language, text):
    agency = AgencyFactory()
    client.force_login(MembershipFactory(agency=agency, role="manager").user)
    record(agency, kind=Kind.AGREEMENT_DOCUMENT)
    page = client.get(LOG, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in page
    assert ("Accord signé" if language == "fr" else "Signed agreement") in page


def test_the_admin_lists_the_log_read_only(client, login, demo):
    login("admin")
    changelist = client.get(reverse("admin:agencies_downloadrecord_changelist"))
    assert changelist.status_code == 200
    assert "VIR-TG-ML-2017" in changelist.content.decode()
    assert client.get(reverse("admin:agencies_downloadrecord_add")).status_code == 403
    entry = DownloadRecord.objects.first()
    delete = reverse("admin:agencies_downloadrecord_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DownloadRecord.objects.filter(pk=entry.pk).exists()


def test_an_api_token_and_a_volunteers_link_are_named_as_people_read_them(client, db):
    """A token's downloads under the token's name (its account's), not its opaque account
    name; a volunteer's personal link in the page's language; the filter finds the token by
    its name."""
    from agencies.models import ANONYMOUS_DOWNLOADER
    from api.services import api_token_create

    agency = AgencyFactory(acronym="ANVT2")
    manager = MembershipFactory(agency=agency, role="manager").user
    expires = timezone.localdate() + datetime.timedelta(days=30)
    token, _secret = api_token_create(agency=agency, name="Registre national", role="officer",
                                      user=manager, expires_on=expires)  # fmt: skip
    account = token.user
    DownloadRecord.objects.create(kind=Kind.REPORT, object_id=1, label="r.pdf", agency=agency,
                                  user=account, username=account.username)  # fmt: skip
    DownloadRecord.objects.create(kind=Kind.CERTIFICATE, object_id=2, label="c.pdf",
                                  agency=agency, username=ANONYMOUS_DOWNLOADER)  # fmt: skip
    client.force_login(manager)
    page = client.get(LOG).content.decode()
    assert f"Registre national (API ANVT2) ({account.username})" in page
    assert "le ou la volontaire, par son lien personnel" in page and "(volunteer link)" not in page
    found = client.get(LOG, {"user": "registre"}).context["page"].object_list
    assert [r.username for r in found] == [account.username]
