import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency, HostStructure, Membership
from core.languages import languages_of
from devtools.demo import EVALUATION_MEETINGS
from devtools.demo_api import DEMO_TOKEN
from evaluations.models import Evaluation, Finding
from exchanges.models import Agreement
from missions.models import FollowUp, Mission, Placement
from programmes.models import Application, ProgrammeMember
from programmes.selectors import programme_figures
from voice.models import Certificate, HostAssessment, Questionnaire, SupportAction
from voice.services import LAST_REMINDER_AFTER, QUESTIONNAIRE_WINDOW, questionnaires_send
from volunteers.models import Volunteer


def test_it_creates_the_six_agencies_and_a_user_per_role(demo):
    assert set(Agency.objects.values_list("acronym", flat=True)) == {
        "ANVT", "CNPV", "GIP-PNVB", "FV", "ASC", "VASE",
    }  # fmt: skip
    User = get_user_model()
    some = ["anvt-manager", "cnpv-partner", "gip-pnvb-officer", "fv-manager", "asc-evaluator"]
    for username in [*some, "vase-partner"]:
        assert User.objects.get(username=username).check_password("reciprocity")
    assert User.objects.get(username="admin").is_superuser
    assert Membership.objects.get(user__username="gip-pnvb-officer").role == "officer"


def test_it_is_idempotent(demo):
    counts = (Agency.objects.count(), Membership.objects.count(), HostStructure.objects.count())
    call_command("load_demo")
    assert counts == (
        Agency.objects.count(),
        Membership.objects.count(),
        HostStructure.objects.count(),
    )


def test_it_adds_host_structures_in_each_country(demo):
    countries = set(HostStructure.objects.values_list("country", flat=True))
    assert {"TG", "ML", "BF", "FR", "EC"} <= countries


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_load_reference_data_is_idempotent(db):
    call_command("load_reference_data")
    call_command("load_reference_data")
    assert Agency.objects.count() == 6


# --- Faithful to the sources (issue 18, "Demo data faithful to the sources") ----------------
# Each fact of /work/shared/seeds/ the demo shows, checked against the data it loaded.

D = datetime.date


def pilot_evaluation():
    return Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", cohort="2017")


def cohort_2017(**filters):
    return Placement.objects.filter(
        quota__agreement__reference="VIR-TG-ML-2017", quota__cohort=2017, **filters
    )


def test_the_lome_evaluation_is_anvts_follow_up_service_with_cnpvs_director_general(demo):
    evaluation = pilot_evaluation()
    assert evaluation.status == "published" and evaluation.agency.acronym == "ANVT"
    assert evaluation.created_by.username == "anvt-evaluator"
    # The delegation's stay as the source dates it, in Lomé, led by its Director General
    # (a role: the source names no one).
    assert (evaluation.visit_start, evaluation.visit_end) == (D(2018, 12, 13), D(2018, 12, 15))
    assert evaluation.visit_place == "Lomé"
    assert "Délégation du CNPV conduite par son Directeur général" in evaluation.participants
    assert "service de suivi-accompagnement de l’ANVT" in evaluation.method
    # The source's "5 jours" is shown beside the dates it gives, not silently dropped.
    assert "« durant 5 jours »" in evaluation.method
    assert "du 13 au 15 décembre 2018" in evaluation.method


def test_the_evaluation_lists_the_meetings_of_the_source(demo):
    method = pilot_evaluation().method
    for meeting in [
        "Restitution de l’évaluation faite par le service de suivi-accompagnement de l’ANVT",
        "Échanges axe par axe sur les points de faiblesse et les recommandations",
        "Rencontre avec la communauté malienne au Togo",
        "Rencontre avec les autorités togolaises, présidée par le Ministre Victoire Tomegah Dogbé",
    ]:
        assert f"– {meeting}" in method
    assert method.count("\n– ") == len(EVALUATION_MEETINGS) == 5


def test_every_figure_the_findings_quote_is_what_the_placements_compute(demo):
    evaluation = pilot_evaluation()
    hosted_at_be = cohort_2017(
        quota__sending__acronym="CNPV",
        mission__host_structure__name="Centre de santé communautaire de Bè",
    )
    completed = cohort_2017(status="completed")
    durations = {
        (m.end_date.year - m.start_date.year) * 12 + m.end_date.month - m.start_date.month
        for m in Mission.objects.filter(placements__in=completed).distinct()
    }
    on_time = cohort_2017(departure_date=F("mission__start_date"))
    full_term = completed.filter(return_date=F("mission__end_date"), early_return_reason="")
    computed = {
        "Togolese to Mali": cohort_2017(quota__sending__acronym="ANVT").count(),
        "Malians to Togo": cohort_2017(quota__sending__acronym="CNPV").count(),
        "left on the planned date": on_time.count(),
        "completed, full term": full_term.count(),
        "mission months": durations,
        "hosted at Bè": hosted_at_be.count(),
    }
    assert computed == {
        "Togolese to Mali": 4,
        "Malians to Togo": 2,
        "left on the planned date": 6,
        "completed, full term": 6,
        "mission months": {10},  # 2 October 2017 → 1 August 2018
        "hosted at Bè": 2,
    }
    assert cohort_2017().count() == 6  # every placement of the cohort is in those figures
    texts = {f.axis + "/" + f.kind: f.text for f in evaluation.findings.all()}
    assert (
        "4 volontaires togolais pour le Mali et 2 volontaires maliens"
        in (texts["selection/strength"])
    )
    assert "les 6 volontaires sont partis à la date prévue" in texts["travel/weakness"]
    assert (
        "Les 6 volontaires ont mené à terme leurs missions de 10 mois"
        in (texts["mission/strength"])
    )
    assert "salue l’engagement des 2 volontaires maliens" in texts["mission/strength"]
    # No other figure anywhere in the findings, the summary or the scores' comments.
    everything = " ".join(
        [*texts.values(), evaluation.summary, *evaluation.scores.values_list("comment", flat=True)]
    )
    assert sorted(map(int, re.findall(r"\d+", everything))) == [2, 2, 4, 6, 6, 10]
    assert "retard" not in texts["travel/weakness"]  # every departure was on time
    # The figures frozen at publication say the same: 4 of 4 and 2 of 2 places used.
    frozen = {q["sending"]: (q["places"], q["used"]) for q in evaluation.figures["quotas"]}
    assert frozen == {"ANVT": (4, 4), "CNPV": (2, 2)}
    assert evaluation.figures["placements_by_outcome"] == {"completed": 6}


def test_the_insertion_recommendation_is_done_as_the_follow_ups_recorded_say(demo):
    evaluation = pilot_evaluation()
    insertion = evaluation.findings.get(kind="recommendation", axis="return")
    assert "six et douze mois" in insertion.text and insertion.owner.acronym == "ANVT"
    recorded = FollowUp.objects.filter(
        placement__in=cohort_2017(),
        due_month__in=[6, 12],
        recorded_at__date__lte=insertion.due_date,
    ).exclude(situation="")
    assert recorded.count() == 2 * cohort_2017().count() == 12
    assert insertion.follow_up == Finding.FollowUp.DONE
    # The others, with nothing in the data to close them, stay open (and overdue).
    others = evaluation.findings.filter(kind="recommendation").exclude(pk=insertion.pk)
    assert set(others.values_list("follow_up", flat=True)) == {"open"}


def test_the_2015_pilot_ran_under_the_service_civique_on_the_four_themes_of_the_source(demo):
    pilot = Agreement.objects.get(reference="VIR-TG-FR-2015")
    assert (pilot.party_a.acronym, pilot.party_b.acronym) == ("ANVT", "FV")
    assert "sous l’Agence du Service Civique (ASC)" in pilot.notes
    themes = ["ecology", "health", "school-dropout", "global-citizenship"]
    assert sorted(pilot.themes.values_list("code", flat=True)) == sorted(themes)
    missions = Mission.objects.filter(quota__agreement=pilot).order_by("pk")
    assert [m.theme.code for m in missions] == themes
    assert all("Agence du Service Civique" in m.description for m in missions)
    placements = Placement.objects.filter(quota__agreement=pilot)
    assert placements.count() == 4 == pilot.quotas.get().places
    assert {p.mission.start_date.year for p in placements} == {2015}
    assert sorted(placements.values_list("mission__theme__code", flat=True)) == sorted(themes)


def test_announced_and_agreed_figures_are_shown_side_by_side(client, login, demo):
    ml = Agreement.objects.get(reference="VIR-TG-ML-2017")
    places = dict(ml.quotas.filter(cohort=2017).values_list("sending__acronym", "places"))
    assert places == {"ANVT": 4, "CNPV": 2}
    assert ml.start_date == D(2017, 10, 1)  # "une mission qui débute en octobre 2017"
    announced = "Annoncé : 10 volontaires échangés pour une mission qui débute en octobre 2017"
    agreed = "Convenu : 4 volontaires togolais pour le Mali et 2 volontaires maliens pour le Togo"
    login("cnpv-partner")
    for url in (ml.get_absolute_url(), pilot_evaluation().get_absolute_url()):
        page = client.get(url).content.decode()
        assert announced in page and agreed in page, url
        assert page.index(announced) < page.index(agreed)


def test_contacts_are_roles_not_invented_names(demo):
    contacts = set(HostStructure.objects.values_list("contact_person", flat=True))
    assert contacts and all(
        c.split()[0] in {"Responsable", "Coordination", "Direction", "Service", "Dirección",
                         "Coordinación"}
        for c in contacts
    ), contacts  # fmt: skip


def test_the_readme_lists_the_demos_sources_and_assumptions():
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("## Demo data: sources and assumptions", 1)[1].split("\n## ", 1)[0]
    for fact in ["10 volontaires", "4 + 2", "5 jours", "13 au 15 décembre", "Assumption"]:
        assert fact in section, fact


def test_it_shows_the_volunteers_voice(demo):
    """Answered and pending questionnaires, host assessments, a rendered certificate, support
    actions, and the pilot evaluation's frozen figures with the answers."""
    assert Questionnaire.objects.filter(submitted_at__isnull=False).count() == 3
    pending = Questionnaire.objects.get(submitted_at__isnull=True)
    assert pending.links.exists() and pending.messages.count() == 3  # invited, reminded twice
    assert Questionnaire.objects.filter(language="en").exists()
    assert HostAssessment.objects.count() == 2
    certificate = Certificate.objects.get()
    assert certificate.report.status == "done" and not certificate.is_revoked
    assert SupportAction.objects.count() == 4
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    assert pilot.figures["voice"]["questionnaires"] == 3


def test_its_questionnaires_follow_the_window_after_the_return(demo):
    """Walk 7, finding 10: a 2018 mission's questionnaire was invited and reminded in the weeks
    before the demo was loaded. The volunteers are asked within QUESTIONNAIRE_WINDOW of their
    return (README), the reminders follow the invitation, the certificate its answers, and the
    daily run finds nothing to send to the demo's 2018 volunteers."""
    for questionnaire in Questionnaire.objects.select_related("placement"):
        returned = questionnaire.placement.return_date
        sent = {m.kind: m.sent_at for m in questionnaire.messages.all()}
        invited = sent["invitation"]
        assert returned <= invited.date() <= returned + QUESTIONNAIRE_WINDOW, questionnaire
        assert all(invited <= at <= invited + LAST_REMINDER_AFTER for at in sent.values())
        assert questionnaire.created_at <= invited
        if questionnaire.submitted_at:
            assert invited <= questionnaire.submitted_at < invited + QUESTIONNAIRE_WINDOW
        else:  # the links sent then have expired
            assert not questionnaire.links.filter(expires_at__gt=timezone.now()).exists()
    certificate = Certificate.objects.select_related("placement__questionnaire").get()
    assert certificate.issued_at == certificate.placement.questionnaire.submitted_at
    assert set(questionnaires_send().values()) == {0}


def test_it_loads_territoires_volontaires_with_a_believable_state(demo):
    programme = ProgrammeMember.objects.get(user__username="daect-viewer").programme
    assert programme.name == "Territoires Volontaires"
    assert ProgrammeMember.objects.get(user__username="fv-programme").role == "staff"
    assert ProgrammeMember.objects.get(user__username="daect-viewer").role == "viewer"
    call = programme.calls.get()
    assert call.closes_at.date().isoformat() == "2022-03-30"
    assert Application.objects.filter(call=call).count() == 60
    figures = programme_figures(programme)
    assert figures.authorities == 40
    assert figures.first_timer_share >= 50
    assert all(n == 10 for _label, n, _pct in figures.levels)
    assert 0 < figures.missions < 250
    assert {"FV", "ASC"} == set(programme.operators.values_list("acronym", flat=True))
    met = {t.kind: t.met for t in figures.targets}
    assert met == {
        "missions": False,
        "authorities": True,
        "first_timers": True,
        "level_balance": True,
    }


def test_the_vase_staff_work_in_spanish_and_the_others_keep_the_default(demo):
    users = get_user_model().objects.filter(
        username__in=["vase-manager", "vase-officer", "anvt-manager"]
    )
    by_name = {u.username: u.pk for u in users}
    languages = languages_of(by_name.values())
    assert languages[by_name["vase-manager"]] == "es"
    assert languages[by_name["vase-officer"]] == "es"
    assert languages[by_name["anvt-manager"]] == "fr"


def test_it_gives_anvt_an_api_token_that_works(demo, client):
    answer = client.get("/api/v1/volunteers/", HTTP_AUTHORIZATION=f"Bearer {DEMO_TOKEN}")
    assert answer.status_code == 200 and answer.json()["results"]
    assert {row["sending_agency"] for row in answer.json()["results"]} == {
        Agency.objects.get(acronym="ANVT").pk
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_demo_restored_inside_a_test_leaves_the_triggers_on(_committed_demo, settings):
    """The snapshot is restored with triggers off (``session_replication_role``); inside a
    test's transaction that setting must not outlive the restore, or the test's own writes
    would skip the tallies' and the checks' triggers."""
    from django.db import connection

    # Whatever ran before in this process: the demo in the database, and a snapshot of it (a
    # plugin tearing the session's fixtures down, Schemathesis', drops the snapshot).
    _committed_demo.use(settings, copy_files=False)
    if not _committed_demo._snapshot_kept():
        _committed_demo._snapshot()  # within this test's transaction: gone again after it
    _committed_demo._restore()
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_every_volunteer_s_status_is_what_their_placements_say(demo):
    """Found by a walk: about 45 demo volunteers were "selected" or "returned" without any
    placement, though statuses follow the placements."""
    from missions.models import Placement

    follows = {
        "selected": Placement.Status.CONFIRMED,
        "deployed": Placement.Status.DEPLOYED,
        "returned": Placement.Status.COMPLETED,
    }
    for status, placement_status in follows.items():
        without = Volunteer.objects.filter(status=status).exclude(
            placements__status=placement_status
        )
        assert not without.exists(), (status, list(without[:5]))


def test_the_demo_s_placements_are_dated_and_signed_as_they_happened(demo):
    """Found by a walk: the timelines said the placements of 2017 were completed at the
    demo's loading, by a "deleted user", and decided before they were nominated."""
    from missions.models import Placement

    assert not Placement.objects.filter(decided_at__lt=F("nominated_at")).exists()
    history = Placement.history.all()
    assert not history.filter(history_user__isnull=True).exists()
    completed = history.filter(status="completed", return_date__isnull=False)
    assert completed.exists()
    assert all(h.history_date.date() == h.return_date for h in completed)
