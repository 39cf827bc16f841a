"""Demo missions and placements, called by ``devtools.demo.load_demo`` (after the volunteers).

The seeds' story: under the ANVT–CNPV agreement, the 2017 cohort sent 4 Togolese volunteers to
Mali and hosted 2 Malians, on missions starting in October 2017, completed and followed up; the
2015 pilot sent 4 Togolese to France. The volunteers of those cohorts are created here, born so
that they were eligible then (the generated demo volunteers are young *today*). Current missions
are open to nominations, and one nomination awaits each host's decision.

Idempotent: a mission is found by its title and quota; its placements are created only with it.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, HostStructure, Theme
from devtools.demo_volunteers import _ascii
from exchanges.models import Quota
from missions.models import FollowUp, Mission, Placement
from missions.services import add_months
from volunteers.eligibility import Rules
from volunteers.models import Experience, Volunteer
from volunteers.selectors import with_eligibility
from volunteers.services import experience_spans_refresh

D = datetime.date
S = Placement.Status

# Volunteers of the past cohorts: agency, first name, last name, sex, birth date.
PAST_VOLUNTEERS = {
    "TG-ML-2017": [
        ("ANVT", "Akossiwa", "Mensah", "female", D(1995, 3, 14)),
        ("ANVT", "Kossi", "Agbodjan", "male", D(1994, 11, 2)),
        ("ANVT", "Essi", "Kpatcha", "female", D(1996, 6, 21)),
        ("ANVT", "Komlan", "Lawson", "male", D(1993, 12, 5)),
    ],
    "ML-TG-2017": [
        ("CNPV", "Aminata", "Coulibaly", "female", D(1995, 8, 9)),
        ("CNPV", "Seydou", "Diarra", "male", D(1994, 2, 27)),
    ],
    "TG-FR-2015": [
        ("ANVT", "Yawa", "Amouzou", "female", D(1992, 4, 18)),
        ("ANVT", "Edem", "Dossou-Yovo", "male", D(1993, 1, 30)),
        ("ANVT", "Afi", "Ayéva", "female", D(1991, 9, 12)),
        ("ANVT", "Kodjo", "Sossou", "male", D(1992, 7, 7)),
    ],
}

# The 2015 pilot's missions, one per theme of the source, in its order.
PILOT_MISSIONS = [
    ("ecology", "Sensibilisation à l’écologie dans les quartiers de Nantes"),
    ("health", "Prévention et santé dans les quartiers de Nantes"),
    ("school-dropout", "Décrochage scolaire et chantier de solidarité à Nantes"),
    ("global-citizenship", "Solidarité internationale à Nantes"),
]
PILOT_DESCRIPTION = (
    "Mission de service civique (Agence du Service Civique), phase pilote du volontariat "
    "international de réciprocité : actions de quartier en contact avec les habitants."
)

SITUATIONS = ["employed", "studying", "own_business", "volunteering", "seeking_work", "employed"]


def _missions(today: datetime.date) -> list[dict]:
    """Missions: agreement, cohort, direction, structure, theme, dates, places, past cohort."""
    soon = D(today.year + 1, 2, 1)
    return [
        # Mali, hosted by CNPV: the Togolese volunteers of 2017.
        dict(agreement="VIR-TG-ML-2017", cohort=2017, sending="ANVT", receiving="CNPV",
             structure="École fondamentale de Magnambougou", theme="school-dropout",
             title="Lutte contre le décrochage scolaire à Magnambougou", city="Bamako",
             start=D(2017, 10, 2), months=10, places=2, past="TG-ML-2017", slice=(0, 2)),
        dict(agreement="VIR-TG-ML-2017", cohort=2017, sending="ANVT", receiving="CNPV",
             structure="Mairie de la Commune IV", theme="global-citizenship",
             title="Éducation à la citoyenneté en Commune IV", city="Bamako",
             start=D(2017, 10, 2), months=10, places=2, past="TG-ML-2017", slice=(2, 4)),
        # Togo, hosted by ANVT: the Malian volunteers of 2017.
        dict(agreement="VIR-TG-ML-2017", cohort=2017, sending="CNPV", receiving="ANVT",
             structure="Centre de santé communautaire de Bè", theme="health",
             title="Prévention et santé communautaire à Bè", city="Lomé",
             start=D(2017, 10, 2), months=10, places=2, past="ML-TG-2017", slice=(0, 2)),
        # France, the 2015 pilot: Service Civique missions (Agence du Service Civique) under the
        # ANVT–France Volontaires agreement, one volunteer on each of the source's four themes.
        *(
            dict(agreement="VIR-TG-FR-2015", cohort=2015, sending="ANVT", receiving="FV",
                 structure="Maison des solidarités de Nantes", theme=theme, title=title,
                 city="Nantes", start=D(2015, 3, 2), months=9, places=1, past="TG-FR-2015",
                 slice=(i, i + 1), description=PILOT_DESCRIPTION)
            for i, (theme, title) in enumerate(PILOT_MISSIONS)
        ),
        # Open now, under next year's cohort (the agreements' quotas in ``devtools.demo``): the
        # Togo–Mali places of 2017 are all used, that quota shows "full" and takes no nomination.
        dict(agreement="VIR-TG-ML-2017", cohort=soon.year, sending="ANVT", receiving="CNPV",
             structure="Mairie de la Commune IV", theme="global-citizenship",
             title="Volontariat et citoyenneté à Bamako", city="Bamako",
             start=soon, months=9, places=2),
        dict(agreement="VIR-TG-ML-2017", cohort=soon.year, sending="CNPV", receiving="ANVT",
             structure="Association Jeunesse Verte de Kpalimé", theme="ecology",
             title="Reboisement et écologie à Kpalimé", city="Kpalimé",
             start=soon, months=9, places=2, nominate=True),
        dict(agreement="VIR-TG-EC-2017", cohort=soon.year, sending="ANVT", receiving="VASE",
             structure="Fundación Bosque Nublado", theme="ecology",
             title="Conservación del bosque nublado en Mindo", city="Mindo",
             start=soon, months=9, places=2, nominate=True),
    ]  # fmt: skip


def _past_volunteer(acronym, first, last, sex, born, agencies) -> tuple[Volunteer, list]:
    agency = agencies[acronym]
    volunteer = Volunteer(
        sending_agency=agency,
        first_name=first,
        last_name=last,
        sex=sex,
        birth_date=born,
        nationality=agency.country.code,
        email=f"{_ascii(first)}.{_ascii(last)}.{born.year}@{agency.slug}.example",
        city="",
        status=Volunteer.Status.RETURNED,
    )
    # Three years of national volunteering before the age of 22 or so.
    start = D(born.year + 18, 9, 1)
    periods = [(start, D(start.year + 3, 6, 30))]
    return volunteer, periods


def load_missions(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    agencies = {a.acronym: a for a in Agency.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    structures = {s.name: s for s in HostStructure.objects.all()}
    quotas = {
        (q.agreement.reference, q.cohort, q.sending.acronym, q.receiving.acronym): q
        for q in Quota.objects.select_related("agreement", "sending", "receiving")
    }
    users = {u.username: u for u in get_user_model().objects.filter(username__endswith="-manager")}
    existing = set(Mission.objects.values_list("title", "quota_id"))
    new_missions, specs = [], []
    for spec in _missions(today):
        quota = quotas.get((spec["agreement"], spec["cohort"], spec["sending"], spec["receiving"]))
        if quota is None or (spec["title"], quota.pk) in existing:
            continue
        end = add_months(spec["start"], spec["months"]) - datetime.timedelta(days=1)
        past = "past" in spec
        new_missions.append(
            Mission(
                quota=quota,
                host_structure=structures[spec["structure"]],
                title=spec["title"],
                description=spec.get("description", ""),
                theme=themes[spec["theme"]],
                city=spec["city"],
                start_date=spec["start"],
                end_date=end,
                places=spec["places"],
                status=Mission.Status.COMPLETED if past else Mission.Status.OPEN,
                created_by=users.get(f"{quota.receiving.slug}-manager"),
            )
        )
        specs.append(spec)
    if not new_missions:
        return
    for mission in new_missions:
        mission.take_quota_agencies()
    missions = bulk_create_with_history(new_missions, Mission)
    _past_placements(missions, specs, agencies, users)
    _pending_nominations(missions, specs, users)
    _nominee_details(missions)


def _past_placements(missions, specs, agencies, users) -> None:
    """Completed placements of the past cohorts, with their volunteers and follow-ups."""
    rows = []
    for mission, spec in zip(missions, specs, strict=True):
        if "past" not in spec:
            continue
        low, high = spec["slice"]
        for person in PAST_VOLUNTEERS[spec["past"]][low:high]:
            rows.append((mission, *_past_volunteer(*person, agencies)))
    volunteers = bulk_create_with_history([v for _m, v, _p in rows], Volunteer)
    experiences, placements = [], []
    for (mission, _v, periods), volunteer in zip(rows, volunteers, strict=True):
        experiences += [
            Experience(volunteer=volunteer, organisation="Volontariat national", start=s, end=e)
            for s, e in periods
        ]
        placements.append(
            Placement(
                mission=mission,
                quota_id=mission.quota_id,
                volunteer=volunteer,
                status=S.COMPLETED,
                departure_date=mission.start_date,
                return_date=mission.end_date,
                nominated_by=users.get(f"{mission.quota.sending.slug}-manager"),
                decided_by=users.get(f"{mission.quota.receiving.slug}-manager"),
                decided_at=timezone.make_aware(
                    datetime.datetime.combine(mission.start_date, datetime.time(10))
                )
                - datetime.timedelta(days=30),
            )
        )
    Experience.objects.bulk_create(experiences)
    experience_spans_refresh(volunteer_ids=[v.pk for v in volunteers])
    placements = bulk_create_with_history(placements, Placement)
    record_as_lived(placements)
    follow_ups = []
    for i, placement in enumerate(placements):
        for month in FollowUp.MONTHS:
            due = add_months(placement.return_date, month)
            follow_ups.append(
                FollowUp(
                    placement=placement,
                    due_month=month,
                    due_date=due,
                    situation=SITUATIONS[(i + month) % len(SITUATIONS)],
                    note="Suivi téléphonique.",
                    recorded_by=users.get(f"{placement.mission.quota.sending.slug}-manager"),
                    recorded_at=timezone.make_aware(
                        datetime.datetime.combine(due, datetime.time(11))
                    ),
                )
            )
    FollowUp.objects.bulk_create(follow_ups)


def _pending_nominations(missions, specs, users) -> None:
    """One eligible volunteer of the sender nominated on each open mission marked so."""
    placements = []
    for mission, spec in zip(missions, specs, strict=True):
        if not spec.get("nominate"):
            continue
        rules = Rules(**dataclasses.asdict(mission.quota.agreement.eligibility_rules()))
        busy = Placement.objects.filter(volunteer=OuterRef("pk"), status__in=[S.NOMINATED])
        volunteer = (
            with_eligibility(
                Volunteer.objects.filter(
                    sending_agency=mission.quota.sending_id, status=Volunteer.Status.CANDIDATE
                ),
                mission.start_date,
                rules,
            )
            .filter(eligible=True)
            .exclude(Exists(busy))
            .order_by("pk")
            .first()
        )
        if volunteer is None:
            continue
        placements.append(
            Placement(
                mission=mission,
                quota_id=mission.quota_id,
                volunteer=volunteer,
                nominated_by=users.get(f"{mission.quota.sending.slug}-manager"),
            )
        )
    record_as_lived(bulk_create_with_history(placements, Placement))


def record_as_lived(placements: list[Placement]) -> None:
    """Placements made in bulk dated and signed as they happened, not at the demo's loading by
    no one: nominated before they were decided, their history's row by whoever made the last
    step (the sender nominates and records the return, the host decides), when they did."""
    for placement in placements:
        if placement.decided_at is not None:
            placement.nominated_at = placement.decided_at - datetime.timedelta(days=14)
            Placement.objects.filter(pk=placement.pk).update(nominated_at=placement.nominated_at)
        when, who = placement.nominated_at, placement.nominated_by
        if placement.status == S.COMPLETED and placement.return_date is not None:
            when = timezone.make_aware(
                datetime.datetime.combine(placement.return_date, datetime.time(10))
            )
        elif placement.decided_at is not None:
            when, who = placement.decided_at, placement.decided_by
        Placement.history.filter(id=placement.pk).update(history_date=when, history_user=who)


NOMINEE_MOTIVATION = (
    "Après deux ans de volontariat national, je veux partager ce que j’ai appris et apprendre "
    "d’une autre communauté, puis mettre cette expérience au service de mon pays au retour."
)
# A one-page PDF: the proof document of the nominees' first experience.
PROOF_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _nominee_details(missions) -> None:
    """What the host reviews on the pending nominations: a motivation and, on the first
    experience period, an attestation (the reduced profile's proof document)."""
    pending = Placement.objects.filter(mission__in=missions, status=S.NOMINATED)
    volunteers = Volunteer.objects.filter(pk__in=pending.values("volunteer"), motivation="")
    for volunteer in volunteers:
        volunteer.motivation = NOMINEE_MOTIVATION
        volunteer.save(update_fields=["motivation", "updated_at"])
        experience = volunteer.experiences.order_by("start", "pk").first()
        if experience is not None and not experience.proof:
            experience.proof.save("attestation.pdf", ContentFile(PROOF_PDF), save=False)
            experience.proof_name = "attestation-volontariat.pdf"
            experience.save(update_fields=["proof", "proof_name"])


# The pilot's volunteer who came back early (issue 17): the reason is on the placement, and the
# follow-ups fall due from the real return.
EARLY_RETURN = dict(
    mission="Solidarité internationale à Nantes",
    volunteer=("Kodjo", "Sossou"),
    returned=D(2015, 7, 10),
    reason=Placement.EarlyReturn.HEALTH,
    note="Rapatrié à Lomé après une hospitalisation ; suivi médical au retour.",
)


def load_early_return() -> None:
    first, last = EARLY_RETURN["volunteer"]
    placement = Placement.objects.filter(
        mission__title=EARLY_RETURN["mission"],
        volunteer__first_name=first,
        volunteer__last_name=last,
        status=S.COMPLETED,
        early_return_reason="",
    ).first()
    if placement is None:
        return
    placement.return_date = EARLY_RETURN["returned"]
    placement.early_return_reason = EARLY_RETURN["reason"]
    placement.early_return_note = EARLY_RETURN["note"]
    # Recorded by the sender, on the day of the return (not at the demo's loading).
    placement._history_user = placement.nominated_by
    placement._history_date = timezone.make_aware(
        datetime.datetime.combine(placement.return_date, datetime.time(10))
    )
    placement.save()
    for follow_up in placement.follow_ups.all():
        follow_up.due_date = add_months(placement.return_date, follow_up.due_month)
        if follow_up.recorded_at is not None:
            follow_up.recorded_at = timezone.make_aware(
                datetime.datetime.combine(follow_up.due_date, datetime.time(11))
            )
        follow_up.save()
