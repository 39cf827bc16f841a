"""Demo volunteers: about 60 per agency, generated deterministically (seeded), in bulk.

Called by ``devtools.demo.load_demo``. Dates are relative to today so that the mix stays true:
some eligible, some too old or too young, some short of experience, some whose periods overlap
(one group eligible thanks to the union, one group *not* eligible although the naive sum of
their periods exceeds 24 months), some with an ongoing or a future period.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, Theme
from core.stored_text import Text
from volunteers.models import Experience, LanguageSkill, Volunteer, VolunteerImport
from volunteers.services import experience_spans_refresh

PER_AGENCY = 60
D = datetime.timedelta

WEST_AFRICA_ORGS = ["Croix-Rouge", "Scouts", "Association des jeunes volontaires", "Radio rurale"]
PROFILES = {
    "TG": {
        "female": ["Akossiwa", "Ama", "Yawa", "Afi", "Essi", "Abla", "Dzifa", "Sélom", "Kafui",
                   "Essozimna", "Adjoa", "Mawuéna"],
        "male": ["Kossi", "Komlan", "Kodjo", "Yao", "Kokou", "Edem", "Mawuli", "Essowè",
                 "Tchilabalo", "Pitalounani", "Gnimdou", "Kwami"],
        "last": ["Mensah", "Agbodjan", "Amégah", "Kpatcha", "Tchalla", "d’Almeida", "Lawson",
                 "Ayéva", "Agbéko", "Dossou-Yovo", "Akakpo", "Sossou", "Tcha-Koura", "N’Tcha",
                 "Bawa", "Amouzou", "Gbéhou"],
        "cities": ["Lomé", "Kpalimé", "Sokodé", "Kara", "Atakpamé", "Aného", "Dapaong"],
        "languages": [("fr", "fluent"), ("ee", "native"), ("kbp", "native"), ("gej", "native")],
        "orgs": ["Croix-Rouge togolaise", "Association Jeunesse Verte de Kpalimé",
                 "Volontariat national (ANVT)", "Centre de santé communautaire de Bè"],
        "abroad": ["FR", "GH", "BJ"],
    },
    "ML": {
        "female": ["Aminata", "Fatoumata", "Mariam", "Kadiatou", "Awa", "Hawa", "Djénéba",
                   "Assétou", "Oumou", "Fanta", "Néné", "Aïssata"],
        "male": ["Moussa", "Oumar", "Boubacar", "Seydou", "Ibrahima", "Sékou", "Modibo",
                 "Mamadou", "Souleymane", "Bakary", "Lassana", "Yacouba"],
        "last": ["Traoré", "Keïta", "Coulibaly", "Diarra", "Touré", "Sangaré", "Konaté", "Maïga",
                 "Cissé", "Diallo", "Dembélé", "Sissoko", "Haïdara", "Ag Alhousseini", "Doumbia"],
        "cities": ["Bamako", "Ségou", "Sikasso", "Mopti", "Kayes", "Koutiala", "Tombouctou"],
        "languages": [("fr", "fluent"), ("bm", "native"), ("son", "native"), ("ff", "native")],
        "orgs": ["Croix-Rouge malienne", "Association des jeunes de Kayes",
                 "Centre national de promotion du volontariat", "Radio communautaire Kledu"],
        "abroad": ["FR", "CI", "SN"],
    },
    "BF": {
        "female": ["Salimata", "Aïcha", "Rasmata", "Wendkouni", "Noélie", "Pélagie", "Awa",
                   "Mariétou", "Bibata", "Fati", "Clémence", "Zénabo"],
        "male": ["Issouf", "Boukary", "Adama", "Pousga", "Arsène", "Wendpouiré", "Hamidou",
                 "Théophile", "Inoussa", "Rasmané", "Abdoul-Karim", "Désiré"],
        "last": ["Ouédraogo", "Kaboré", "Sawadogo", "Zongo", "Compaoré", "Ilboudo", "Zoungrana",
                 "Kiemtoré", "Nikiéma", "Yaméogo", "Bationo", "Tiendrébéogo", "Sanou", "Da"],
        "cities": ["Ouagadougou", "Bobo-Dioulasso", "Koudougou", "Banfora", "Ouahigouya"],
        "languages": [("fr", "fluent"), ("mos", "native"), ("dyu", "native"), ("ff", "native")],
        "orgs": ["Scouts du Burkina Faso", "Programme national de volontariat",
                 "Association Tié de Koudougou", "Croix-Rouge burkinabè"],
        "abroad": ["CI", "FR", "ML"],
    },
    "FR": {
        "female": ["Chloé", "Léa", "Anaïs", "Noémie", "Hélène", "Zoé", "Inès", "Gaëlle",
                   "Marie-Ève", "Anne-Sophie", "Maëlys", "Océane"],
        "male": ["Théo", "Mathéo", "Jérôme", "Maël", "Benoît", "Jean-Baptiste", "Loïc", "Noé",
                 "François", "Aurélien", "Gaëtan", "Yanis"],
        "last": ["Dubois", "Le Goff", "Lefèvre", "Girard", "Morel", "Fournier", "Bénard",
                 "Le Bihan", "Saint-Martin", "Lemaître", "Béranger", "Ménard", "N’Diaye",
                 "Aït Ali", "Petit-Jean", "D’Souza"],
        "cities": ["Lyon", "Nantes", "Marseille", "Lille", "Rennes", "Toulouse", "Saint-Étienne"],
        "languages": [("fr", "native"), ("en", "working"), ("es", "basic"), ("ar", "working")],
        "orgs": ["Unis-Cité", "Restos du Cœur", "Secours populaire français",
                 "Maison des solidarités de Nantes"],
        "abroad": ["BE", "CA", "SN"],
    },
    "EC": {
        "female": ["María José", "Ximena", "Gabriela", "Inés", "Camila", "Fernanda", "Sisa",
                   "Nayeli", "Dayana", "Belén", "Killa", "Mónica"],
        "male": ["Andrés", "José Luis", "Sebastián", "Joaquín", "Nicolás", "Martín", "Inti",
                 "Darío", "Julián", "Efraín", "Rubén", "Ángel"],
        "last": ["Andrade", "Jaramillo", "Quishpe", "Guamán", "Pérez", "Cevallos", "Muñoz",
                 "Núñez", "Peña", "Zúñiga", "Íñiguez", "Chicaiza", "Ortega-Vélez", "Tupiza"],
        "cities": ["Quito", "Guayaquil", "Cuenca", "Mindo", "Otavalo", "Riobamba", "Loja"],
        "languages": [("es", "native"), ("qu", "native"), ("en", "working"), ("fr", "basic")],
        "orgs": ["Cruz Roja Ecuatoriana", "Fundación Bosque Nublado", "Minga por la Pachamama",
                 "Escuela Fiscal Mixta Nº 12"],
        "abroad": ["ES", "US", "CO"],
    },
}  # fmt: skip
THEMES_BY_COUNTRY = {
    "TG": ["health", "ecology", "school-dropout"],
    "ML": ["school-dropout", "global-citizenship", "health"],
    "BF": ["health", "education", "environment", "decentralisation"],
    "FR": ["global-citizenship", "school-dropout", "ecology"],
    "EC": ["education", "ecology", "environment"],
}
EDUCATION = ["secondary", "baccalaureate", "vocational", "bachelor", "bachelor", "master"]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in text if c.isalnum())


def _born(rng, today, age):
    """A birth date making the person ``age`` today (a day they have turned it)."""
    latest = (
        today.replace(year=today.year - age)
        if (today.month, today.day) != (2, 29)
        else (datetime.date(today.year - age, 2, 28))
    )
    return latest - D(days=rng.randint(1, 360))


def _periods(rng, kind, today):
    """(start, end) periods of one of the demo cases."""
    ago = lambda days: today - D(days=days)  # noqa: E731
    if kind == "eligible":
        if rng.random() < 0.5:
            end = rng.randint(30, 400)
            return [(ago(end + rng.randint(760, 1100)), ago(end))]
        return [(ago(1500), ago(1100)), (ago(900), ago(rng.randint(400, 500)))]
    if kind == "ongoing":
        return [(ago(rng.randint(760, 1200)), None)]
    if kind == "short":
        end = rng.randint(10, 200)
        return [(ago(end + rng.randint(150, 600)), ago(end))]
    if kind == "overlap_eligible":
        return [(ago(1000), ago(400)), (ago(600), ago(100))]  # 901 days, not 1102
    if kind == "overlap_short":
        return [(ago(800), ago(400)), (ago(700), ago(300))]  # 501 days, naive sum 802
    if kind == "future":
        return [(ago(400), ago(50)), (today + D(days=60), today + D(days=400))]
    return [(ago(1400), ago(500))]  # too old / too young: enough experience, wrong age


# index % 10 -> (case, age range)
CASES = [
    ("eligible", (19, 25)), ("eligible", (20, 25)), ("eligible", (21, 24)),
    ("ongoing", (19, 25)), ("overlap_eligible", (20, 25)), ("overlap_short", (20, 25)),
    ("old", (27, 33)), ("young", (16, 17)), ("short", (18, 24)), ("future", (19, 25)),
]  # fmt: skip


def _status(i):
    """Candidates (one withdrawn): selected, deployed and returned follow the placements
    (``missions.services``), which the demo's missions make."""
    if i == 7:
        return Volunteer.Status.WITHDRAWN
    return Volunteer.Status.CANDIDATE


def _people(agency, today, themes):
    profile = PROFILES[agency.country.code]
    rng = random.Random(f"reciprocity-demo-{agency.acronym}")
    for i in range(PER_AGENCY):
        case, (low, high) = CASES[i % len(CASES)]
        sex = "female" if i % 2 else "male"
        first, last = rng.choice(profile[sex]), rng.choice(profile["last"])
        diaspora = rng.random() < 0.1
        country = rng.choice(profile["abroad"]) if diaspora else agency.country.code
        volunteer = Volunteer(
            sending_agency=agency,
            first_name=first,
            last_name=last,
            sex=sex,
            birth_date=_born(rng, today, rng.randint(low, high)),
            nationality=agency.country.code,
            diaspora=diaspora,
            email=f"{_ascii(first)}.{_ascii(last)}.{i}@{agency.slug}.example",
            phone=f"+{rng.randint(200, 599)} {rng.randint(10, 99)} {rng.randint(100000, 999999)}",
            city=rng.choice(profile["cities"]) if not diaspora else "",
            country=country,
            education_level=rng.choice(EDUCATION),
            skills=rng.choice(["", "Animation, secourisme", "Informatique", "Agriculture"]),
            status=_status(i),
        )
        languages = [LanguageSkill(language=code, level=level) for code, level in
                     rng.sample(profile["languages"], 2)]  # fmt: skip
        experiences = [
            Experience(organisation=rng.choice(profile["orgs"]), role="Volontaire", start=s, end=e)
            for s, e in _periods(rng, case, today)
        ]
        chosen = [themes[c] for c in rng.sample(THEMES_BY_COUNTRY[agency.country.code], 2)]
        yield volunteer, languages, experiences, chosen


def load_volunteers(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    themes = {t.code: t for t in Theme.objects.all()}
    existing = set(Volunteer.objects.values_list("sending_agency_id", "email"))
    rows = []
    for agency in Agency.objects.order_by("acronym"):
        if agency.country.code not in PROFILES:
            continue
        rows += [
            r for r in _people(agency, today, themes) if (agency.pk, r[0].email) not in existing
        ]
    _demo_import()
    if not rows:
        return
    volunteers = bulk_create_with_history([r[0] for r in rows], Volunteer)
    through = Volunteer.themes.through
    links, languages, experiences = [], [], []
    for (_v, langs, exps, chosen), volunteer in zip(rows, volunteers, strict=True):
        links += [through(volunteer_id=volunteer.pk, theme_id=t.pk) for t in chosen]
        for item in (*langs, *exps):
            item.volunteer = volunteer
        languages += langs
        experiences += exps
    through.objects.bulk_create(links)
    LanguageSkill.objects.bulk_create(languages)
    Experience.objects.bulk_create(experiences)
    experience_spans_refresh(volunteer_ids=[v.pk for v in volunteers])


def _demo_import():
    """One finished import in ANVT's history, so that the import pages have something to show."""
    anvt = Agency.objects.filter(acronym="ANVT").first()
    if anvt is None:
        return
    VolunteerImport.objects.get_or_create(
        agency=anvt,
        checksum=hashlib.sha256(b"reciprocity-demo-import").hexdigest(),
        defaults={
            "file_name": "registre-volontaires-anvt.xlsx",
            "status": VolunteerImport.Status.DONE,
            "total_rows": 3,
            "checked_rows": 3,
            "created_count": 2,
            "duplicate_count": 1,
            # Stored as an import stores it: its source, shown in the reader's language.
            "duplicates": [
                {
                    "row": 4,
                    "column": "",
                    **Text(gettext_noop("Already registered (same e-mail).")).as_dict(),
                }
            ],
            "started_at": timezone.now(),
            "finished_at": timezone.now(),
        },
    )
