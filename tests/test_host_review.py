"""Host review of a nominee (issue 17, point 1): the host agency's members read a reduced
profile of the volunteer nominated to its mission, its manager accepts (with an optional note)
or declines (with a reason) from there, and the sending agency is told by e-mail."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import DownloadRecord
from core.models import OutgoingEmail, UserPreference
from exchanges.models import Quota
from missions.models import Placement
from missions.selectors import nominees_visible_to
from missions.services import placement_decline, placement_nominate
from tests.access import PERSONAS
from tests.factories import (
    ExperienceFactory,
    MembershipFactory,
    eligible_volunteer,
    make_mission,
)
from volunteers.models import LanguageSkill
from volunteers.services import volunteer_anonymise, volunteer_personal_data

MINDO = "Conservación del bosque nublado en Mindo"  # ANVT sends, VASE hosts; room in its quota


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.fixture(autouse=True)
def _vase_staff_read_french(request):
    """These tests read the host's pages in French: the demo's VASE staff prefer Spanish
    (tests/test_user_language.py covers that)."""
    if "demo" in request.fixturenames:
        request.getfixturevalue("demo")
        UserPreference.objects.filter(user__username__startswith="vase-").delete()


def mindo_nomination():
    return Placement.objects.select_related("volunteer").get(
        mission__title=MINDO, status="nominated"
    )


def nominee_url(placement):
    return reverse("missions:nominee", args=[placement.pk])


# --- The rule ---------------------------------------------------------------------------------


def test_the_rule_and_the_selector_agree_for_every_persona_and_demo_placement(demo):
    """``vir.view_nominee`` (agencies/rules.py) and ``nominees_visible_to`` say the same."""
    placements = list(Placement.objects.select_related("quota"))
    users = [get_user_model().objects.get(username=u) for u in PERSONAS.values() if u]
    users += [get_user_model().objects.get(username=u) for u in ("vase-partner", "vase-manager")]
    for user in users:
        visible = set(nominees_visible_to(user).values_list("pk", flat=True))
        allowed = {p.pk for p in placements if user.has_perm("vir.view_nominee", p)}
        assert visible == allowed, user.username
    vase = get_user_model().objects.get(username="vase-partner")
    assert mindo_nomination().pk in set(nominees_visible_to(vase).values_list("pk", flat=True))


@pytest.mark.parametrize("username", ["vase-manager", "vase-officer", "vase-partner"])
def test_every_member_of_the_host_reads_the_reduced_profile(demo, client, login, username):
    placement = mindo_nomination()
    volunteer = placement.volunteer
    login(username)
    response = client.get(nominee_url(placement))
    assert response.status_code == 200
    html = response.content.decode()
    profile = response.context["profile"]
    mission = placement.mission
    age = (
        mission.start_date.year
        - volunteer.birth_date.year
        - (
            (mission.start_date.month, mission.start_date.day)
            < (volunteer.birth_date.month, volunteer.birth_date.day)
        )
    )
    assert profile.age == age
    assert f"{age} ans le {mission.start_date:%d/%m/%Y} (début de la mission)" in html
    assert volunteer.nationality.name in html
    assert "Éligible" in html
    assert volunteer.motivation and volunteer.motivation.split(",")[0] in html
    assert "attestation-volontariat.pdf" in html  # the demo's proof document
    # Never the contact details, the exact birth date or the notes.
    assert volunteer.email not in html
    if volunteer.phone:
        assert volunteer.phone not in html
    assert volunteer.birth_date.strftime("%d/%m/%Y") not in html
    assert reverse("volunteers:detail", args=[volunteer.pk]) not in html


def test_an_ineligible_nominee_shows_the_verdict_and_its_reasons(demo, client, login):
    placement = mindo_nomination()
    # The experience was removed after the nomination: the host sees why it no longer holds.
    placement.volunteer.experiences.all().delete()
    login("vase-manager")
    response = client.get(nominee_url(placement))
    html = response.content.decode()
    assert "Non éligible" in html
    reasons = response.context["profile"].eligibility.reasons
    assert reasons and all(str(r) in html for r in reasons)
    assert "Aucune période de volontariat enregistrée." in html


def test_the_sender_is_sent_to_the_full_profile_and_others_get_404(demo, client, login):
    placement = mindo_nomination()
    login("anvt-officer")
    response = client.get(nominee_url(placement))
    assert response.status_code == 302
    assert response.url == reverse("volunteers:detail", args=[placement.volunteer_id])
    login("cnpv-manager")
    assert client.get(nominee_url(placement)).status_code == 404


def test_a_declined_nomination_closes_the_profile_to_the_host(demo, client, login):
    placement = mindo_nomination()
    manager = login("vase-manager")
    placement_decline(placement=placement, user=manager, reason="Profil trop éloigné.")
    assert client.get(nominee_url(placement)).status_code == 404
    detail = client.get(reverse("missions:detail", args=[placement.mission_id])).content.decode()
    assert nominee_url(placement) not in detail
    login("anvt-officer")
    assert client.get(nominee_url(placement)).status_code == 302


def test_the_mission_page_and_the_inbox_lead_the_host_to_the_profile(demo, client, login):
    placement = mindo_nomination()
    login("vase-manager")
    detail = client.get(reverse("missions:detail", args=[placement.mission_id]))
    assert nominee_url(placement) in detail.content.decode()
    assert "Examiner le profil" in detail.content.decode()
    assert nominee_url(placement) in client.get(reverse("missions:inbox")).content.decode()
    login("vase-partner")
    detail = client.get(reverse("missions:detail", args=[placement.mission_id]))
    assert nominee_url(placement) in detail.content.decode()
    assert "Examiner le profil" not in detail.content.decode()  # partners do not decide


# --- Documents --------------------------------------------------------------------------------


def test_the_host_downloads_a_proof_document_recorded_in_its_log(demo, client, login):
    placement = mindo_nomination()
    experience = placement.volunteer.experiences.exclude(proof="").get()
    url = reverse("missions:nominee_proof", args=[placement.pk, experience.pk])
    login("vase-officer")
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attestation-volontariat.pdf" in response["Content-Disposition"]
    record = DownloadRecord.objects.get(kind="proof", object_id=experience.pk)
    assert record.agency == placement.quota.receiving and record.username == "vase-officer"
    # Another volunteer's period through this placement: 404; the sender: its own download.
    other = ExperienceFactory()
    assert (
        client.get(reverse("missions:nominee_proof", args=[placement.pk, other.pk])).status_code
        == 404
    )
    login("anvt-officer")
    response = client.get(url)
    assert response.url == reverse("volunteers:proof", args=[experience.pk])


def test_a_missing_file_is_a_404_not_a_server_error(demo, client, login):
    placement = mindo_nomination()
    experience = placement.volunteer.experiences.exclude(proof="").get()
    experience.proof.storage.delete(experience.proof.name)
    login("vase-officer")
    url = reverse("missions:nominee_proof", args=[placement.pk, experience.pk])
    assert client.get(url).status_code == 404
    assert not DownloadRecord.objects.filter(kind="proof", object_id=experience.pk).exists()


# --- The decision -----------------------------------------------------------------------------


def test_the_host_manager_accepts_with_a_note_and_the_sender_is_told_once(demo, client, login):
    placement = mindo_nomination()
    login("vase-manager")
    OutgoingEmail.objects.all().delete()
    note = "Accueil prévu par la Fundación Bosque Nublado dès l’arrivée."
    response = client.post(
        reverse("missions:confirm", args=[placement.pk]),
        {"note": note, "from": "nominee"},
        follow=True,
    )
    assert f"Proposition confirmée : {placement.volunteer.full_name}." in response.content.decode()
    placement.refresh_from_db()
    assert (placement.status, placement.reason) == ("confirmed", note)
    emails = list(OutgoingEmail.objects.all())
    sending = {
        m.user.email
        for m in placement.quota.sending.memberships.filter(role__in=["manager", "officer"])
        if m.user.email  # an API token's account has none and receives nothing
    }
    assert sorted(to for e in emails for to in e.to) == sorted(sending)  # one each, no copy
    assert all("Proposition confirmée pour" in e.subject and note in e.body for e in emails)
    assert f"Note : {note}" in response.content.decode()  # on the mission page


def test_declining_without_a_reason_is_refused_on_the_profile_page(demo, client, login):
    placement = mindo_nomination()
    login("vase-manager")
    response = client.post(
        reverse("missions:decline", args=[placement.pk]),
        {"reason": "  ", "from": "nominee"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == nominee_url(placement)
    assert "Ce champ est obligatoire." in response.content.decode()
    placement.refresh_from_db()
    assert placement.status == "nominated"


def test_declining_with_a_reason_tells_the_sender(demo, client, login):
    placement = mindo_nomination()
    login("vase-manager")
    OutgoingEmail.objects.all().delete()
    client.post(
        reverse("missions:decline", args=[placement.pk]),
        {"reason": "Le poste demande l’espagnol courant.", "from": "nominee"},
    )
    placement.refresh_from_db()
    assert placement.status == "declined"
    emails = list(OutgoingEmail.objects.all())
    assert emails and all("Le poste demande l’espagnol courant." in e.body for e in emails)
    assert {to for e in emails for to in e.to} <= set(
        placement.quota.sending.memberships.values_list("user__email", flat=True)
    )


def test_a_refused_acceptance_is_shown_on_the_profile_page(demo, client, login):
    """The Kpalimé nomination's quota is made full meanwhile: the acceptance is refused."""
    placement = Placement.objects.get(mission__title="Reboisement et écologie à Kpalimé")
    Quota.objects.filter(pk=placement.quota_id).update(places=0, approved_places=0)
    login("anvt-manager")
    response = client.post(
        reverse("missions:confirm", args=[placement.pk]), {"from": "nominee"}, follow=True
    )
    assert response.redirect_chain[-1][0] == nominee_url(placement)
    assert "est plein" in response.content.decode()


def test_officers_and_partners_of_the_host_see_no_decision_and_cannot_decide(demo, client, login):
    placement = mindo_nomination()
    login("vase-officer")
    response = client.get(nominee_url(placement))
    assert response.context["can_decide"] is False
    assert 'data-testid="decision"' not in response.content.decode()
    assert client.post(reverse("missions:confirm", args=[placement.pk])).status_code == 403


def test_the_nomination_email_links_to_the_reduced_profile(db, django_capture_on_commit_callbacks):
    mission = make_mission()
    MembershipFactory(agency=mission.quota.receiving, role="manager")
    volunteer = eligible_volunteer(mission.quota.sending)
    OutgoingEmail.objects.all().delete()
    with django_capture_on_commit_callbacks():
        placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    emails = list(OutgoingEmail.objects.all())
    assert emails and all(f"/missions/placements/{placement.pk}/nominee/" in e.body for e in emails)


# --- Queries, and the motivation in the volunteer's own data ---------------------------------


def test_the_profile_reads_in_the_same_queries_for_1_and_8_periods_and_languages(client, db):
    mission = make_mission(start=datetime.date(2018, 1, 1))
    manager = MembershipFactory(agency=mission.quota.receiving, role="manager").user
    volunteer = eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    client.force_login(manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(nominee_url(placement)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for year in range(2005, 2012):
        experience = ExperienceFactory(
            volunteer=volunteer, start=datetime.date(year, 1, 1), end=datetime.date(year, 6, 30)
        )
        experience.proof.save("p.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    for code in ["fr", "en", "es", "ee", "bm", "de", "pt"]:
        LanguageSkill.objects.create(volunteer=volunteer, language=code, level="basic")
    assert count() == small <= 16


def test_the_motivation_is_in_the_personal_data_and_erased_on_anonymisation(db):
    volunteer = eligible_volunteer(
        MembershipFactory(role="manager").agency, motivation="Servir ailleurs."
    )
    assert volunteer_personal_data(volunteer=volunteer, user=None)["motivation"] == (
        "Servir ailleurs."
    )
    volunteer = volunteer_anonymise(volunteer=volunteer, user=None)
    volunteer.refresh_from_db()
    assert volunteer.motivation == ""
    assert not volunteer.history.exclude(motivation="").exists()
