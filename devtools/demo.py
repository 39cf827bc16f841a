"""Demo data, in one place: each capability adds its part here (``load_demo`` runs them all).

Everything is idempotent: running ``load_demo`` twice leaves the same data.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency, DownloadRecord, HostStructure, Membership, Theme
from agencies.reference import load_reference_data
from core.models import UserPreference
from devtools.demo_api import load_api_tokens
from devtools.demo_checklists import load_checklists
from devtools.demo_missions import load_early_return, load_missions
from devtools.demo_programmes import load_programmes
from devtools.demo_voice import load_voice
from devtools.demo_volunteers import load_volunteers
from evaluations.models import Evaluation, Finding, Score
from evaluations.services import evaluation_publish
from exchanges.models import Agreement, AgreementVersion, Approval, Quota
from exchanges.quota_report import quota_report_request
from exchanges.services import (
    QuotaData,
    agreement_approve,
    agreement_record_version,
    agreement_update,
)
from reports.models import Report
from reports.services import report_run
from volunteers.models import Volunteer

User = get_user_model()

ROLES = [role.value for role in Membership.Role]
# The staff of Fondation VASE (Ecuador) work in Spanish; the others keep the default (French).
DEMO_LANGUAGES = {"vase": "es"}

# The four themes of the 2015 pilot's volunteers in France, in the source's order (seeds,
# "sensibilisation à l’écologie…, prévention et santé, décrochage scolaire et chantier de
# solidarité, éducation au développement et à la solidarité internationale").
VIR_PILOT_THEMES = ["ecology", "health", "school-dropout", "global-citizenship"]

HOST_STRUCTURES = [
    # agency, name, kind, city, country, contact (a role: the sources name no one), themes
    ("ANVT", "Centre de santé communautaire de Bè", "health_centre", "Lomé", "TG",
     "Responsable du centre", ["health"]),
    ("ANVT", "Association Jeunesse Verte de Kpalimé", "association", "Kpalimé", "TG",
     "Coordination de l’association", ["ecology"]),
    ("CNPV", "École fondamentale de Magnambougou", "school", "Bamako", "ML",
     "Direction de l’école", ["school-dropout"]),
    ("CNPV", "Mairie de la Commune IV", "local_authority", "Bamako", "ML",
     "Service jeunesse de la mairie", ["global-citizenship"]),
    ("GIP-PNVB", "Centre de santé et de promotion sociale de Tanghin", "health_centre",
     "Ouagadougou", "BF", "Responsable du centre", ["health"]),
    ("GIP-PNVB", "Commune de Koudougou", "local_authority", "Koudougou", "BF",
     "Service de la décentralisation", ["decentralisation"]),
    ("ASC", "Association Unis-Cité Lyon", "association", "Lyon", "FR",
     "Coordination des missions de service civique", ["global-citizenship", "school-dropout"]),
    # The 2015 pilot's neighbourhood actions, on the four themes of the source.
    ("FV", "Maison des solidarités de Nantes", "association", "Nantes", "FR",
     "Coordination des volontaires", VIR_PILOT_THEMES),
    ("VASE", "Escuela Fiscal Mixta Nº 12", "school", "Quito", "EC",
     "Dirección de la escuela", ["education"]),
    ("VASE", "Fundación Bosque Nublado", "association", "Mindo", "EC",
     "Coordinación de voluntariado", ["ecology", "environment"]),
]  # fmt: skip


def demo_usernames() -> list[str]:
    return [f"{a.slug}-{role}" for a in Agency.objects.order_by("acronym") for role in ROLES]


def _user(username: str, *, password: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(password)
        user.save()
    return user


def load_users(password: str) -> None:
    _user(
        "admin",
        password=password,
        is_staff=True,
        is_superuser=True,
        email="admin@reciprocity.localhost",
    )
    for agency in Agency.objects.all():
        for role in ROLES:
            user = _user(
                f"{agency.slug}-{role}",
                password=password,
                first_name=agency.acronym,
                last_name=Membership.Role(role).label,
                email=f"{role}@{agency.slug}.reciprocity.localhost",
            )
            Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": role})
            if agency.slug in DEMO_LANGUAGES:
                UserPreference.objects.get_or_create(
                    user=user, defaults={"language": DEMO_LANGUAGES[agency.slug]}
                )


def load_host_structures() -> None:
    agencies = {a.acronym: a for a in Agency.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    for acronym, name, kind, city, country, contact, theme_codes in HOST_STRUCTURES:
        structure, _ = HostStructure.objects.get_or_create(
            agency=agencies[acronym],
            name=name,
            city=city,
            defaults={"kind": kind, "country": country, "contact_person": contact},
        )
        structure.themes.set([themes[code] for code in theme_codes])


VIR_THEMES = VIR_PILOT_THEMES


def _next_cohort(year: int, a: str, b: str, a_to_b: int, b_to_a: int) -> list[tuple]:
    """The places of next year's cohort, under which the demo's open missions start (those of
    2017 are used: a mission under them would take no nomination)."""
    return [(year, a, b, a_to_b), (year, b, a, b_to_a)]


# "10 volontaires … mission qui débute en octobre 2017" (ANVT, September 2017) against the
# "4 volontaires Togolais pour le Mali et 2 volontaires Maliens pour le Togo" of the document
# initialled by both agencies (ANVT, December 2018): the quotas follow the agreement.
ANNOUNCED_VS_AGREED = (
    "Annoncé : 10 volontaires échangés pour une mission qui débute en octobre 2017 (ANVT, "
    "septembre 2017, après la mission de l’ANVT au Mali de décembre 2016).\n"
    "Convenu : 4 volontaires togolais pour le Mali et 2 volontaires maliens pour le Togo "
    "(document paraphé par l’ANVT et le CNPV) : ce sont les quotas de la cohorte 2017."
)


def _agreements() -> list[dict]:
    """The agreements of the seeds. Framework agreements run five years past the current one,
    so that the demo shows them in force whenever it is loaded; the 2015 pilot is over."""
    ends = datetime.date(timezone.localdate().year + 5, 12, 31)
    next_year = timezone.localdate().year + 1
    return [
        {
            "reference": "VIR-TG-ML-2017",
            "title": "Volontariat international de réciprocité Sud-Sud Togo–Mali",
            "parties": ("ANVT", "CNPV"),
            "dates": (datetime.date(2017, 10, 1), ends),
            "themes": VIR_THEMES,
            "quotas": [
                ("2017", "ANVT", "CNPV", 4),
                ("2017", "CNPV", "ANVT", 2),
                *_next_cohort(next_year, "ANVT", "CNPV", 4, 2),
            ],
            "approved_on": datetime.date(2017, 9, 15),
            "languages": "Français.",
            # The sources disagree: both figures shown, side by side with the quotas.
            "notes": ANNOUNCED_VS_AGREED + "\n"
            "Une délégation du CNPV conduite par son Directeur général a évalué l’expérience "
            "pilote à Lomé du 13 au 15 décembre 2018.",
            "document": True,
        },
        {
            "reference": "VIR-TG-FR-2015",
            "title": "Phase pilote du volontariat international de réciprocité en France",
            "parties": ("ANVT", "FV"),
            "dates": (datetime.date(2015, 1, 1), datetime.date(2015, 12, 31)),
            "themes": VIR_THEMES,
            "quotas": [("2015", "ANVT", "FV", 4)],
            "approved_on": datetime.date(2014, 12, 1),
            "languages": "Français.",
            "notes": "Phase pilote issue de l’accord de partenariat entre l’ANVT et France "
            "Volontaires : les 4 volontaires togolais servent en France dans des missions de "
            "service civique, sous l’Agence du Service Civique (ASC), en actions de quartier "
            "auprès des habitants, sur quatre thèmes : écologie et développement durable ; "
            "prévention et santé ; lutte contre le décrochage scolaire et chantier de "
            "solidarité ; éducation au développement et à la solidarité internationale.",
        },
        {
            "reference": "VIR-TG-EC-2017",
            "title": "Volontariat international de réciprocité Togo–Équateur",
            "parties": ("ANVT", "VASE"),
            "dates": (datetime.date(2017, 9, 1), ends),
            "themes": ["education", "environment", "ecology"],
            "quotas": [
                ("2017", "ANVT", "VASE", 3),
                ("2017", "VASE", "ANVT", 3),
                *_next_cohort(next_year, "ANVT", "VASE", 2, 2),
            ],
            "approved_on": datetime.date(2017, 6, 30),
            "languages": "Espagnol courant pour les volontaires togolais ; français pour les "
            "volontaires équatoriens.",
            "notes": "Issu de l’atelier coopératif international de Lomé (octobre 2016).",
        },
        {
            "reference": f"VIR-TG-BF-{next_year}",
            "title": "Volontariat international de réciprocité Togo–Burkina Faso",
            "parties": ("ANVT", "GIP-PNVB"),
            "dates": (datetime.date(next_year, 1, 1), datetime.date(next_year + 2, 12, 31)),
            "themes": ["health", "education", "environment", "decentralisation"],
            "quotas": [
                (str(next_year), "ANVT", "GIP-PNVB", 2),
                (str(next_year), "GIP-PNVB", "ANVT", 2),
            ],
            "approved_on": None,  # a draft under negotiation since the visit of September 2017
            "languages": "Français.",
            "notes": "En négociation depuis les échanges de septembre 2017 à Ouagadougou.",
        },
    ]


def demo_pdf(*lines: str) -> bytes:
    """A one-page PDF showing ``lines`` (ASCII), built by hand: no PDF library needed."""
    text = " ".join(f"({line}) Tj 0 -18 Td" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def load_agreements() -> None:
    """The agreements of the seeds, each with its version 1 and, if approved, both approvals."""
    agencies = {a.acronym: a for a in Agency.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__endswith="-manager")}
    for spec in _agreements():
        party_a, party_b = (agencies[acronym] for acronym in spec["parties"])
        author = users[f"{party_a.slug}-manager"]
        agreement, created = Agreement.objects.get_or_create(
            reference=spec["reference"],
            defaults={
                "title": spec["title"],
                "party_a": party_a,
                "party_b": party_b,
                "start_date": spec["dates"][0],
                "end_date": spec["dates"][1],
                "language_requirements": spec["languages"],
                "notes": spec["notes"],
                "created_by": author,
            },
        )
        if not created:
            continue
        agreement.themes.set([themes[code] for code in spec["themes"]])
        Quota.objects.bulk_create(
            Quota(
                agreement=agreement,
                cohort=cohort,
                sending=agencies[sending],
                receiving=agencies[receiving],
                places=places,
            )
            for cohort, sending, receiving, places in spec["quotas"]
        )
        version = agreement_record_version(agreement=agreement, user=author)
        if spec["approved_on"] is None:
            continue
        when = datetime.datetime.combine(
            spec["approved_on"], datetime.time(10), tzinfo=datetime.UTC
        )
        # The text was drafted a fortnight before both parties approved it.
        AgreementVersion.objects.filter(pk=version.pk).update(
            created_at=when - datetime.timedelta(days=14)
        )
        Approval.objects.bulk_create(
            Approval(
                version=version,
                agency=party,
                user=users[f"{party.slug}-manager"],
                approved_at=when,
                sha256=version.sha256,
            )
            for party in (party_a, party_b)
        )
        agreement.status = Agreement.Status.APPROVED
        agreement.last_approved_version = version
        agreement.approved_imbalance_threshold = agreement.imbalance_threshold
        if spec.get("document"):
            pdf = demo_pdf(agreement.reference, "Accord de demonstration", "Signe par les parties")
            agreement.document.save("signed.pdf", ContentFile(pdf), save=False)
        agreement.save()
        agreement.quotas.update(approved_places=F("places"))


# The Lomé evaluation as the source tells it (seeds: "Une Délégation du CNPV a séjourné au Togo
# du 13 au 15 décembre 2018 … conduite par son Directeur général … Durant 5 jours …
# l’évaluation faite par le service de suivi-accompagnement de l’ANVT"), its meetings as the
# source lists them. The findings' contents are the demo's assumptions (README, "Demo data");
# every figure they quote is what the demo's placements compute (tests/test_demo.py).
EVALUATION_MEETINGS = [
    "Restitution de l’évaluation faite par le service de suivi-accompagnement de l’ANVT.",
    "Échanges axe par axe sur les points de faiblesse et les recommandations, par exposés et "
    "questions-réponses.",
    "Présentation du dispositif institutionnel et opérationnel de gestion des volontaires au Togo.",
    "Rencontre avec la communauté malienne au Togo.",
    "Rencontre avec les autorités togolaises, présidée par le Ministre Victoire Tomegah Dogbé.",
]

PILOT_EVALUATION = {
    "title": "Évaluation de l’expérience pilote Togo–Mali 2017",
    "cohort": "2017",
    "period": (datetime.date(2017, 10, 1), datetime.date(2018, 11, 30)),
    "visit": (datetime.date(2018, 12, 13), datetime.date(2018, 12, 15)),
    "place": "Lomé",
    "participants": "Délégation du CNPV conduite par son Directeur général, avec des cadres "
    "du CNPV.\n"
    "Cadres de l’ANVT, dont son service de suivi-accompagnement, auteur de l’évaluation.\n"
    "Communauté malienne au Togo ; autorités togolaises.",
    "context": "Expérience pilote de volontariat international de réciprocité (VIR) Sud-Sud "
    "entre le Togo et le Mali, un an après son lancement. Objectifs de la rencontre : tirer "
    "les leçons de l’expérience pilote ; identifier les pistes stratégiques pour la suite du "
    "VIR entre le Mali et le Togo ; renforcer le partenariat ANVT–CNPV dans le montage et la "
    "mise en œuvre des prochains projets communs ; identifier d’autres partenaires potentiels "
    "pour le soutien du CNPV. La délégation s’inspire aussi du dispositif de gestion des "
    "volontaires au Togo pour améliorer celui du CNPV au Mali.\n\n"
    + ANNOUNCED_VS_AGREED,
    "method": "Évaluation conduite par le service de suivi-accompagnement de l’ANVT, puis "
    "travaux conjoints ANVT–CNPV à Lomé « durant 5 jours » selon la source, qui date le "
    "séjour de la délégation du 13 au 15 décembre 2018 (les deux indications sont reprises "
    "telles quelles).\n\nRencontres :\n"
    + "\n".join(f"– {meeting}" for meeting in EVALUATION_MEETINGS),
    "summary": "La phase pilote a atteint l’essentiel de ses objectifs : les volontaires "
    "convenus sont partis, ont été bien accueillis et ont mené leurs missions à terme. La "
    "préparation au départ et le suivi de l’insertion doivent être renforcés pour les "
    "prochains échanges.",
    "scores": [
        ("relevance", 5, "Les thématiques répondent aux besoins des structures d’accueil."),
        ("coherence", 4, "Bonne articulation avec les programmes nationaux de volontariat."),
        ("effectiveness", 4, "Les missions ont été menées à terme."),
        ("efficiency", 3, "Visas et billets obtenus tard, sans retarder les départs."),
        ("impact", 3, "Effets visibles dans les structures, à confirmer dans la durée."),
        ("sustainability", 3, "Le financement des prochains échanges reste à consolider."),
    ],
    # axis, kind, text, owner, due date, follow-up (recommendations)
    "findings": [
        ("selection", "strength", "Sélection conjointe des volontaires : 4 volontaires "
         "togolais pour le Mali et 2 volontaires maliens pour le Togo, comme le prévoit le "
         "document paraphé.", None, None, ""),
        ("preparation", "weakness", "Formation au départ trop courte : les réalités "
         "socioculturelles du pays d’accueil ont été découvertes sur place.", None, None, ""),
        ("travel", "weakness", "Visas et billets d’avion obtenus dans les dernières semaines : "
         "les 6 volontaires sont partis à la date prévue, mais sans aucune marge.",
         None, None, ""),
        ("mission", "strength", "Les 6 volontaires ont mené à terme leurs missions de 10 mois ; "
         "le centre de santé communautaire de Bè, à Lomé, salue l’engagement des 2 volontaires "
         "maliens qu’il a accueillis.", None, None, ""),
        ("follow_up", "lesson", "Un référent unique par volontaire dans l’agence d’accueil "
         "facilite la résolution rapide des difficultés.", None, None, ""),
        ("preparation", "recommendation", "Allonger la formation au départ à cinq jours, "
         "avec un module interculturel animé par d’anciens volontaires.", "CNPV",
         datetime.date(2019, 6, 30), "open"),
        ("travel", "recommendation", "Anticiper les démarches de visa et de billetterie "
         "d’au moins trois mois avant la date de départ.", "ANVT", datetime.date(2019, 3, 31),
         "open"),
        # Done: the follow-ups at six and twelve months of every volunteer of the 2017 cohort
        # are recorded (devtools.demo_missions), before the due date.
        ("return", "recommendation", "Mettre en place un suivi de l’insertion professionnelle "
         "des volontaires à six et douze mois après leur retour.", "ANVT",
         datetime.date(2019, 12, 31), "done"),
        ("partnership", "recommendation", "Tenir un comité de pilotage conjoint ANVT–CNPV "
         "chaque semestre.", "CNPV", datetime.date(2019, 6, 30), "open"),
    ],
}  # fmt: skip


def load_evaluations(*, render: bool = True) -> None:
    """The ANVT–CNPV pilot evaluation (visit in Lomé, December 2018), published, with its
    French PDF rendered here (the task enqueued on commit then finds it done: a no-op)."""
    spec = PILOT_EVALUATION
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    if Evaluation.objects.filter(agreement=agreement, title=spec["title"]).exists():
        return
    agencies = {a.acronym: a for a in Agency.objects.filter(acronym__in=["ANVT", "CNPV"])}
    author = User.objects.get(username="anvt-evaluator")
    evaluation = Evaluation.objects.create(
        agreement=agreement,
        cohort=spec["cohort"],
        agency=agencies["ANVT"],
        title=spec["title"],
        period_start=spec["period"][0],
        period_end=spec["period"][1],
        visit_start=spec["visit"][0],
        visit_end=spec["visit"][1],
        visit_place=spec["place"],
        participants=spec["participants"],
        context=spec["context"],
        method=spec["method"],
        summary=spec["summary"],
        created_by=author,
    )
    Score.objects.bulk_create(
        Score(evaluation=evaluation, criterion=c, value=v, comment=text)
        for c, v, text in spec["scores"]
    )
    Finding.objects.bulk_create(
        Finding(
            evaluation=evaluation,
            axis=axis,
            kind=kind,
            order=order,
            text=text,
            owner=agencies.get(owner),
            due_date=due,
            follow_up=follow_up,
        )
        for order, (axis, kind, text, owner, due, follow_up) in enumerate(spec["findings"])
    )
    report = evaluation_publish(evaluation=evaluation, user=author)
    if render:
        report_run(report.pk)


def load_quota_reports(*, render: bool = True) -> None:
    """The ANVT–CNPV quota report, as PDF and as CSV, requested by ANVT's manager."""
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    if Report.objects.filter(kind=Report.Kind.QUOTA, agreement=agreement).exists():
        return
    user = User.objects.get(username="anvt-manager")
    for file_format in ("pdf", "csv"):
        report = quota_report_request(
            user=user, agreement=agreement, file_format=file_format, first_year=2017
        )
        if render:
            report_run(report.pk)


def load_downloads() -> None:
    """A few downloads in the log, so that the managers' page has rows: ANVT's manager took the
    signed agreement, the quota report and a volunteer's data; CNPV's manager the evaluation."""
    if DownloadRecord.objects.exists():
        return
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    agencies = {a.acronym: a for a in Agency.objects.filter(acronym__in=["ANVT", "CNPV"])}
    users = {
        u.username: u for u in User.objects.filter(username__in=["anvt-manager", "cnpv-manager"])
    }
    volunteer = Volunteer.objects.filter(sending_agency=agencies["ANVT"]).order_by("pk").first()
    quota_report = agreement.reports.filter(kind=Report.Kind.QUOTA, format="pdf").first()
    evaluation_report = agreement.reports.filter(kind=Report.Kind.EVALUATION).first()
    Kind = DownloadRecord.Kind
    rows = [
        (Kind.AGREEMENT_DOCUMENT, agreement, agreement.reference, "anvt-manager", 9),
        (Kind.REPORT, quota_report, quota_report and quota_report.filename, "anvt-manager", 6),
        (Kind.PERSONAL_DATA, volunteer, volunteer and volunteer.full_name, "anvt-manager", 3),
        (Kind.REPORT, evaluation_report, evaluation_report and evaluation_report.filename,
         "cnpv-manager", 2),
    ]  # fmt: skip
    now = timezone.now()
    DownloadRecord.objects.bulk_create(
        DownloadRecord(
            kind=kind,
            object_id=obj.pk,
            label=label,
            agency=agencies[username.split("-")[0].upper()],
            user=users[username],
            username=username,
            at=now - datetime.timedelta(days=days_ago),
            ip="127.0.0.1",
        )
        for kind, obj, label, username, days_ago in rows
        if obj is not None
    )


@transaction.atomic
def load_demo(*, render_reports: bool = True) -> None:
    if not settings.DEBUG:
        raise RuntimeError("Demo data is for development: DEBUG is off.")
    load_reference_data()
    load_users(settings.DEMO_PASSWORD)
    load_host_structures()
    load_agreements()
    load_volunteers()
    load_missions()
    load_early_return()
    load_voice(render=render_reports)
    load_evaluations(render=render_reports)
    load_quota_reports(render=render_reports)
    load_downloads()
    load_pending_amendment()
    load_checklists()
    load_programmes()
    load_api_tokens()


def load_pending_amendment() -> None:
    """An amendment awaiting a partner: ANVT proposes to VASE a cohort for the year after next (two
    places each way) in the Togo–Ecuador agreement and approves it; the new version awaits
    VASE's approval (VASE's managers see it on their home page), while placements run under the
    version both approved."""
    agreement = Agreement.objects.get(reference="VIR-TG-EC-2017")
    cohort = timezone.localdate().year + 2  # next year's cohort is in the approved version
    if agreement.quotas.filter(cohort=cohort).exists():
        return
    anvt, vase = agreement.party_a, agreement.party_b
    user = User.objects.get(username="anvt-manager")
    quotas = [
        QuotaData(q.cohort, q.sending_id, q.receiving_id, q.places, q.duration_months)
        for q in agreement.quotas.all()
    ]
    quotas += [QuotaData(cohort, anvt.pk, vase.pk, 2), QuotaData(cohort, vase.pk, anvt.pk, 2)]
    version = agreement_update(
        agreement=agreement,
        themes=list(agreement.themes.all()),
        quotas=quotas,
        user=user,
        by_agency=anvt,
    )
    agreement_approve(agreement=agreement, version_number=version.number, agency=anvt, user=user)
