"""Programmes on a generated dataset (``manage.py generate_data --programmes``): added to the
data already there, for the benchmark of the programme pages (issue 19).

One programme led by the large agency (``GEN-001``) with its first agencies as operators, a
closed call with ``applications`` applications of every level (two in five laureates, half of
them first-timers, every laureate with an operator), and up to ``missions`` of the operators'
missions counted for their laureates. ``bench-officer`` and ``bench-manager`` are its staff,
``bench-funder`` its read-only viewer. Reproducible for a seed; refused if the programme exists.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from agencies.models import Agency
from missions.models import Mission
from programmes.models import (
    Application,
    Call,
    Level,
    Programme,
    ProgrammeMember,
    ProgrammeMission,
    Scheme,
    Target,
)

NAME = "Programme généré"
OPERATORS = 5
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@transaction.atomic
def add_programmes(*, applications: int = 2000, missions: int = 1500, seed: int = 2017, out=print):
    if Programme.objects.filter(name=NAME).exists():
        raise ValueError(f"{NAME} exists already: generate on a dataset without it.")
    rng = random.Random(seed)
    lead = Agency.objects.get(acronym="GEN-001")
    operators = list(Agency.objects.filter(acronym__startswith="GEN-").order_by("acronym"))
    operators = operators[:OPERATORS]
    programme = Programme.objects.create(
        name=NAME,
        lead_agency=lead,
        funder="Financeur généré",
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2035, 12, 31),
    )
    programme.operators.set(operators)
    Target.objects.bulk_create(
        Target(programme=programme, kind=kind, label=label, value=value)
        for kind, label, value in [
            ("missions", "Missions", missions),
            ("authorities", "Collectivités", applications * 2 // 5),
            ("first_timers", "Primo-engagées", 50),
            ("level_balance", "Échelons", 15),
        ]
    )
    scheme = Scheme.objects.create(programme=programme, code="vsi", min_age=18)
    User = get_user_model()
    password = make_password(settings.DEMO_PASSWORD)
    funder, _ = User.objects.get_or_create(username="bench-funder", defaults={"password": password})
    staff = User.objects.filter(username__in=["bench-officer", "bench-manager"])
    ProgrammeMember.objects.bulk_create(
        [ProgrammeMember(programme=programme, user=u, role="staff") for u in staff]
        + [ProgrammeMember(programme=programme, user=funder, role="viewer")]
    )
    call = Call.objects.create(
        programme=programme,
        title="Appel généré",
        slug="appel-genere",
        opens_at=datetime.datetime(2015, 2, 1, tzinfo=PARIS),
        closes_at=datetime.datetime(2015, 3, 31, 23, 59, tzinfo=PARIS),
        selection_date=datetime.date(2015, 4, 15),
    )
    levels = list(Level.values)
    rows = []
    for n in range(applications):
        laureate = n % 5 < 2
        rows.append(
            Application(
                call=call,
                name=f"Collectivité générée {n + 1:05d}",
                level=levels[n % 4],
                siren=f"{300000000 + n:09d}",
                region=f"Région {n % 13}",
                contact_name=f"Contact {n}",
                contact_email=f"contact{n}@collectivite.example.org",
                first_time=rng.random() < 0.5,
                sending=True,
                hosting=n % 2 == 0,
                missions_planned=1 + n % 8,
                score=rng.randint(0, 20),
                decision="laureate" if laureate else "not_selected",
                reason="Généré",
                decided_at=call.closes_at,
                notified_at=call.closes_at,
                operator=operators[n % len(operators)] if laureate else None,
                operator_chosen_at=call.closes_at if laureate else None,
            )
        )
    Application.objects.bulk_create(rows, batch_size=1000)
    by_operator: dict[int, list[int]] = {}
    for pk, operator in Application.objects.filter(call=call, decision="laureate").values_list(
        "pk", "operator"
    ):
        by_operator.setdefault(operator, []).append(pk)
    links, seen = [], set()
    for op in operators:
        carried = (
            Mission.objects.filter(Q(quota__receiving=op) | Q(quota__sending=op))
            .filter(programme_link__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[: missions // len(operators)]
        )
        laureates = by_operator.get(op.pk, [])
        for i, pk in enumerate(carried):
            if laureates and pk not in seen:
                seen.add(pk)
                links.append(
                    ProgrammeMission(
                        mission_id=pk, laureate_id=laureates[i % len(laureates)], scheme=scheme
                    )
                )
    ProgrammeMission.objects.bulk_create(links, batch_size=1000)
    out(
        f"{NAME}: {applications} applications, "
        f"{sum(len(v) for v in by_operator.values())} laureates, {len(links)} missions"
    )
    return programme
