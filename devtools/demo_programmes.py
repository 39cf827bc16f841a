"""The Territoires Volontaires programme (issue 19), called by ``devtools.demo.load_demo``.

The source: the France Volontaires announcement of 14 February 2022 — a call for expressions of
interest to French local authorities (deadline 30 March 2022, selection early April), 250
missions and 40 authorities as targets, at least half of them new to international action,
balanced across levels. The demo has 60 applications of every level, 40 laureates (22
first-timers, ten per level), each with its operator (France Volontaires or the Agence du
Service Civique), support actions, and missions carried by France Volontaires under an
agreement with the GIP-PNVB (Burkina Faso): hosted in France and carried abroad.

Users: ``fv-programme`` (programme staff, an officer of France Volontaires) and
``daect-viewer`` (the funder's read-only view). Idempotent: nothing is added once the programme
exists.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency, HostStructure, Membership, Theme
from exchanges.models import Agreement, Approval, Quota
from exchanges.services import agreement_record_version
from missions.models import Mission, MissionStatus
from missions.services import add_months, mission_create
from programmes.models import (
    Application,
    Call,
    Level,
    Programme,
    ProgrammeMember,
    ProgrammeMission,
    Scheme,
    SupportAction,
    Target,
)

User = get_user_model()
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NAME = "Territoires Volontaires"
CALL_SLUG = "territoires-volontaires-2022"
AGREEMENT = "TV-FR-BF-2023"

COMMITTEE = [
    "Délégation pour l’action extérieure des collectivités territoriales (DAECT, MEAE)",
    "Ministère de l’Éducation nationale, de la Jeunesse et des Sports (MENJS)",
    "Agence du Service Civique",
    "Régions de France",
    "Assemblée des Départements de France (ADF)",
    "Association des Maires de France (AMF)",
    "Cités Unies France",
]

REGIONS = [
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire",
    "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie", "Nouvelle-Aquitaine",
    "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d’Azur",
]  # fmt: skip
PLACES = {
    Level.COMMUNE: ["Commune de Saint-Herblain", "Ville de Besançon", "Commune de Rezé",
                    "Ville de Cherbourg-en-Cotentin", "Commune de Pessac", "Ville d’Albi",
                    "Commune de Lanester", "Ville de Montreuil", "Commune d’Échirolles",
                    "Ville de Tourcoing", "Commune de Chambéry", "Ville de Poitiers",
                    "Commune de Lorient", "Ville de Mâcon", "Commune de Blois"],
    Level.GROUPING: ["Communauté d’agglomération du Grand Angoulême", "Rennes Métropole",
                     "Communauté de communes du Pays de Landerneau", "Grand Besançon Métropole",
                     "Communauté urbaine de Dunkerque", "Brest Métropole",
                     "Communauté d’agglomération de La Rochelle", "Nantes Métropole",
                     "Communauté de communes du Val d’Ille", "Métropole de Lyon",
                     "Grand Poitiers", "Communauté d’agglomération du Pays Basque",
                     "Toulouse Métropole", "Communauté de communes Cœur de Savoie",
                     "Grenoble-Alpes Métropole"],
    Level.DEPARTEMENT: ["Département de l’Isère", "Département de la Gironde",
                        "Département du Finistère", "Département de la Seine-Saint-Denis",
                        "Département du Nord", "Département des Landes", "Département du Gers",
                        "Département de l’Hérault", "Département de la Drôme",
                        "Département de la Manche", "Département du Val-de-Marne",
                        "Département de Meurthe-et-Moselle", "Département de l’Ain",
                        "Département de la Loire-Atlantique", "Département du Tarn"],
    Level.REGION: ["Région Bretagne", "Région Normandie", "Région Occitanie",
                   "Région Nouvelle-Aquitaine", "Région Grand Est", "Région Hauts-de-France",
                   "Région Centre-Val de Loire", "Région Pays de la Loire",
                   "Région Bourgogne-Franche-Comté", "Région Auvergne-Rhône-Alpes",
                   "Région Île-de-France", "Région Sud", "Région Réunion", "Région Guadeloupe",
                   "Région Corse"],
}  # fmt: skip
COUNTRIES = ["Sénégal", "Burkina Faso", "Bénin", "Madagascar", "Maroc", "Togo", "Mali"]


def siren(n: int) -> str:
    """A nine-digit SIREN that passes the Luhn check, distinct for each ``n``."""
    base = f"2{n:07d}"
    total = 0
    for i, digit in enumerate(reversed(base)):
        d = int(digit) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return base + str((10 - total % 10) % 10)


def _user(username, **fields):
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    return user


def load_programmes(today: datetime.date | None = None) -> None:
    if Programme.objects.filter(name=NAME).exists():
        return
    today = today or timezone.localdate()
    fv, asc, pnvb = (Agency.objects.get(acronym=a) for a in ("FV", "ASC", "GIP-PNVB"))
    programme = Programme.objects.create(
        name=NAME,
        lead_agency=fv,
        funder="DAECT — ministère de l’Europe et des Affaires étrangères",
        steering_committee="\n".join(COMMITTEE),
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        description="Programme clé en main d’engagement des collectivités territoriales "
        "françaises dans le volontariat international, en envoi et en accueil.",
    )
    programme.operators.set([fv, asc])
    Target.objects.bulk_create(
        Target(programme=programme, kind=kind, label=label, value=value)
        for kind, label, value in [
            (Target.Kind.MISSIONS, "250 missions de volontariat", 250),
            (Target.Kind.AUTHORITIES, "40 collectivités territoriales", 40),
            (Target.Kind.FIRST_TIMERS, "Au moins 50 % de primo-engagées", 50),
            (Target.Kind.LEVEL_BALANCE, "Représentation équilibrée des échelons (≥ 15 %)", 15),
        ]
    )
    civique, vsi, _vir = Scheme.objects.bulk_create(
        [
            Scheme(programme=programme, code="service_civique", min_age=16, max_age=25,
                   max_age_with_disability=30),
            Scheme(programme=programme, code="vsi", min_age=18),
            Scheme(programme=programme, code="vir", min_age=18, max_age=25,
                   min_experience_days=730),
        ]
    )  # fmt: skip
    staff = _user("fv-programme", first_name="FV", last_name="Programme",
                  email="programme@fv.reciprocity.localhost")  # fmt: skip
    Membership.objects.get_or_create(user=staff, agency=fv, defaults={"role": "officer"})
    viewer = _user("daect-viewer", first_name="DAECT", last_name="Lecture",
                   email="daect@diplomatie.reciprocity.localhost")  # fmt: skip
    ProgrammeMember.objects.bulk_create(
        [
            ProgrammeMember(programme=programme, user=staff, role="staff"),
            ProgrammeMember(programme=programme, user=viewer, role="viewer"),
        ]
    )
    call = Call.objects.create(
        programme=programme,
        title="Appel à manifestation d’intérêt Territoires Volontaires",
        slug=CALL_SLUG,
        opens_at=datetime.datetime(2022, 2, 14, 9, 0, tzinfo=PARIS),
        closes_at=datetime.datetime(2022, 3, 30, 23, 59, tzinfo=PARIS),
        time_zone="Europe/Paris",
        selection_date=datetime.date(2022, 4, 5),
        questions="Quelles sont vos motivations pour vous engager dans le volontariat "
        "international ?\nQuels partenaires à l’international, le cas échéant ?\nQuels "
        "services de la collectivité porteront les missions ?",
    )
    laureates = _applications(call, fv, asc)
    _support(laureates, staff)
    _missions(programme, laureates, fv, pnvb, civique, vsi, today)


def _applications(call, fv, asc) -> list[Application]:
    """60 applications, 15 per level; the first ten of each level are laureates (40), of
    which 22 are first-timers; laureates choose France Volontaires, one in four the ASC."""
    decided = datetime.datetime(2022, 4, 5, 10, 0, tzinfo=PARIS)
    rows = []
    n = 0
    for level, names in PLACES.items():
        for i, name in enumerate(names):
            n += 1
            laureate = i < 10
            first_time = (i < 6) if level in (Level.COMMUNE, Level.GROUPING) else (i < 5)
            rows.append(
                Application(
                    call=call,
                    name=name,
                    level=level,
                    siren=siren(n),
                    region=REGIONS[n % len(REGIONS)],
                    contact_name=f"Chargé·e des relations internationales {n}",
                    contact_email=f"international{n}@collectivite.example.org",
                    partners="" if first_time else f"Coopération avec {COUNTRIES[n % 7]}",
                    first_time=first_time,
                    sending=n % 3 != 0,
                    hosting=n % 2 == 0 or n % 3 == 0,
                    countries=", ".join({COUNTRIES[n % 7], COUNTRIES[(n + 2) % 7]}),
                    missions_planned=2 + n % 6,
                    answers="Ouvrir nos jeunes au monde et accueillir des volontaires des "
                    "pays partenaires dans nos services.",
                    score=14 + i % 5 if laureate else 6 + i % 5,
                    comment="",
                    decision="laureate" if laureate else "not_selected",
                    reason="Projet structuré, portage politique affirmé."
                    if laureate
                    else "Projet à mûrir : intentions encore imprécises.",
                    decided_at=decided,
                    notified_at=decided,
                    operator=(asc if i % 4 == 3 else fv) if laureate else None,
                    operator_chosen_at=decided + datetime.timedelta(days=20) if laureate else None,
                )
            )
    Application.objects.bulk_create(rows)
    return list(Application.objects.filter(call=call, decision="laureate").order_by("pk"))


def _support(laureates, staff) -> None:
    actions = []
    for k, laureate in enumerate(laureates):
        actions.append(
            SupportAction(
                laureate=laureate,
                strand=SupportAction.Strand.CAPACITY,
                title="Formation : mobiliser des volontaires dans la collectivité",
                date=datetime.date(2022, 5, 10) + datetime.timedelta(days=7 * (k % 6)),
                attendance=4 + k % 9,
                created_by=staff,
            )
        )
        if k % 2 == 0:
            actions.append(
                SupportAction(
                    laureate=laureate,
                    strand=SupportAction.Strand.CODESIGN,
                    title="Atelier de co-construction des missions",
                    date=datetime.date(2022, 9, 15) + datetime.timedelta(days=7 * (k % 5)),
                    attendance=3 + k % 5,
                    notes="Fiches de mission rédigées avec le partenaire.",
                    created_by=staff,
                )
            )
    SupportAction.objects.bulk_create(actions)


def _agreement(fv, pnvb) -> Agreement:
    """The France Volontaires – GIP-PNVB agreement that carries the programme's missions,
    approved by both parties, with places each way in 2023 and 2024."""
    author = User.objects.get(username="fv-manager")
    agreement = Agreement.objects.create(
        reference=AGREEMENT,
        title="Territoires Volontaires : France – Burkina Faso",
        party_a=fv,
        party_b=pnvb,
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        language_requirements="Français.",
        notes="Missions portées avec les collectivités lauréates de Territoires Volontaires.",
        created_by=author,
    )
    agreement.themes.set(Theme.objects.filter(code__in=["decentralisation", "global-citizenship"]))
    Quota.objects.bulk_create(
        Quota(agreement=agreement, cohort=year, sending=a, receiving=b, places=12)
        for year in (2023, 2024)
        for a, b in ((fv, pnvb), (pnvb, fv))
    )
    version = agreement_record_version(agreement=agreement, user=author)
    when = datetime.datetime(2022, 11, 15, 10, 0, tzinfo=datetime.UTC)
    Approval.objects.bulk_create(
        Approval(
            version=version,
            agency=party,
            user=User.objects.get(username=f"{party.slug}-manager"),
            approved_at=when,
            sha256=version.sha256,
        )
        for party in (fv, pnvb)
    )
    agreement.status = Agreement.Status.APPROVED
    agreement.last_approved_version = version
    agreement.save()
    agreement.quotas.update(approved_places=F("places"))
    return agreement


def _missions(programme, laureates, fv, pnvb, civique, vsi, today) -> None:
    """Missions carried by France Volontaires for its laureates: hosted in France (from the
    GIP-PNVB) and carried abroad (to Burkina Faso). Their status follows the calendar."""
    agreement = _agreement(fv, pnvb)
    in_france = HostStructure.objects.filter(agency=fv).first()
    abroad = HostStructure.objects.filter(agency=pnvb).order_by("pk")
    themes = {
        t.code: t for t in Theme.objects.filter(code__in=["decentralisation", "global-citizenship"])
    }
    carried = [a for a in laureates if a.operator_id == fv.pk]
    links = []
    # 25 missions; the last one is not counted yet: France Volontaires' staff link it to its
    # laureate on the laureate's page (``make run``).
    for k, laureate in enumerate(carried[:25]):
        year = 2023 + k % 2
        hosted = k % 3 == 0
        quota = agreement.quotas.get(
            cohort=year, receiving=fv if hosted else pnvb, sending=pnvb if hosted else fv
        )
        start = datetime.date(year, 1 + k % 6, 1)
        structure = in_france if hosted else abroad[k % abroad.count()]
        kind = "accueilli" if hosted else "en réciprocité"
        mission = mission_create(
            mission=Mission(
                quota=quota,
                host_structure=structure,
                title=f"{laureate.name} : volontariat {kind}",
                theme=themes["global-citizenship" if hosted else "decentralisation"],
                city=structure.city,
                start_date=start,
                end_date=add_months(start, 6) - datetime.timedelta(days=1),
                places=1,
            ),
            user=None,
        )
        if k < 24:
            links.append(
                ProgrammeMission(
                    mission=mission, laureate=laureate, scheme=civique if k % 2 else vsi
                )
            )
        # The calendar decides the status shown (the demo has no placements for these).
        status = (
            MissionStatus.COMPLETED
            if mission.end_date < today
            else MissionStatus.IN_PROGRESS
            if mission.start_date <= today
            else MissionStatus.OPEN
        )
        Mission.objects.filter(pk=mission.pk).update(status=status)
    ProgrammeMission.objects.bulk_create(links)
