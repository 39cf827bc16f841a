"""A large, realistic, reproducible dataset for the benchmark (``manage.py generate_data``).

Rows are written with explicit ids in bulk: PostgreSQL ``COPY`` (psycopg 3) where available,
``executemany`` elsewhere, then the id sequences are moved past them. Domain rules are respected
(two distinct parties, quotas between them, placements under a quota, experience spans derived
by the same function as the register) but the history tables are left empty: this is a load,
not a record of changes.

The first agency, ``GEN-001``, is the "large agency" of the benchmark: a tenth of the
volunteers and a share of the agreements; its members are ``bench-manager`` and
``bench-officer`` (password: ``DEMO_PASSWORD``).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from agencies.models import Agency, HostStructure, Membership, Theme
from agencies.reference import load_reference_data
from core.tallies import rebuild
from devtools.demo_volunteers import PROFILES
from evaluations.models import Axis, Criterion, Evaluation, Finding, Score
from exchanges.models import Agreement, AgreementVersion, Approval, Quota
from exchanges.versions import canonical_json, render_substance, sha256_of
from missions.models import Mission, Placement
from missions.tallies import TALLY as PLACEMENT_TALLY
from reports.models import Report
from volunteers import eligibility
from volunteers.models import Experience, ExperienceSpan, Volunteer
from volunteers.tallies import TALLY as VOLUNTEER_TALLY

COUNTRIES = ["TG", "ML", "BF", "FR", "EC", "SN", "CI", "BJ", "NE", "MA", "PE", "CO", "BE", "CM"]
PROFILE_OF = {"TG": "TG", "ML": "ML", "BF": "BF", "FR": "FR", "EC": "EC", "PE": "EC", "CO": "EC"}
STATUSES = ["candidate"] * 6 + ["selected", "deployed", "returned", "withdrawn"]


class Loader:
    """Writes rows of a model with explicit ids, fast on PostgreSQL."""

    def __init__(self, out: Callable[[str], None]):
        self.out = out
        self.postgres = connection.vendor == "postgresql"

    def next_id(self, model) -> int:
        last = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
        return last + 1

    def write(self, model, columns: list[str], rows: Iterable[tuple], tally=None) -> int:
        """``tally``: the ``core.tallies.Tally`` counting this table. Its row triggers would
        update the same few counter rows once per row loaded, each update slower than the last
        inside one transaction (a million volunteers: over 15 minutes); they are switched off
        for the load and the tally counted again from the table, in the same transaction."""
        table = model._meta.db_table
        started = time.monotonic()
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                if tally is not None:
                    cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
                cols = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                if tally is not None:
                    # The foreign keys' checks, deferred to the commit, are queued trigger
                    # events: ALTER TABLE waits for none, so they run now.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    rebuild(connection, tally)
            else:
                marks = ", ".join(["%s"] * len(columns))
                # Table and column names come from the models, never from input.
                names = ", ".join(f'"{c}"' for c in columns)
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 5000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.out(f"  {table}: {count:,} rows in {time.monotonic() - started:.1f} s")
        return count

    def reset_sequences(self, *models_: type[models.Model]) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in models_:
                table = model._meta.db_table
                # The model's table name, never input.
                seq = f"pg_get_serial_sequence('\"{table}\"', 'id')"
                sql = f'SELECT setval({seq}, COALESCE((SELECT MAX(id) FROM "{table}"), 1))'  # noqa: S608
                cursor.execute(sql)

    def analyze(self) -> None:
        """Statistics for the planner, and the visibility map that index-only scans (the
        capped counts) need: what autovacuum would do on a live server, done now."""
        if self.postgres:
            # VACUUM cannot run inside a transaction (the tests wrap the command in one).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(command)


class Generator:
    def __init__(self, *, volunteers, agencies, agreements, placements, seed, out):
        self.n_volunteers = volunteers
        self.n_agencies = agencies
        self.n_agreements = agreements
        self.n_placements = placements
        self.rng = random.Random(seed)
        self.out = out
        self.load = Loader(out)
        self.now = timezone.now()
        self.today = timezone.localdate()

    # --- Agencies, users, host structures ----------------------------------------------------

    def agencies(self) -> list[int]:
        load_reference_data()
        first = self.load.next_id(Agency)
        rows = []
        for i in range(self.n_agencies):
            country = COUNTRIES[i % len(COUNTRIES)]
            rows.append(
                (first + i, f"Agence nationale de volontariat nº {i + 1}", f"GEN-{i + 1:03d}",
                 country, "national_agency", "", "", True)
            )  # fmt: skip
        self.load.write(
            Agency,
            ["id", "name", "acronym", "country", "kind", "website", "email", "is_active"],
            rows,
        )
        self.load.reset_sequences(Agency)
        self.agency_ids = [r[0] for r in rows]
        self.agency_country = {r[0]: r[3] for r in rows}
        return self.agency_ids

    def users(self) -> None:
        User = get_user_model()
        large = self.agency_ids[0]
        password = make_password(settings.DEMO_PASSWORD)
        for role in ["manager", "officer", "evaluator", "partner"]:
            user, _ = User.objects.get_or_create(
                username=f"bench-{role}", defaults={"password": password}
            )
            Membership.objects.update_or_create(user=user, agency_id=large, defaults={"role": role})
        for n in range(1, 9):  # the benchmark's mixed workload: eight officers reading
            user, _ = User.objects.get_or_create(
                username=f"bench-reader-{n}", defaults={"password": password}
            )
            Membership.objects.update_or_create(
                user=user, agency_id=large, defaults={"role": "officer"}
            )
        User.objects.get_or_create(
            username="bench-admin",
            defaults={"password": password, "is_staff": True, "is_superuser": True},
        )

    def host_structures(self) -> None:
        first = self.load.next_id(HostStructure)
        kinds = [k for k, _ in HostStructure.Kind.choices]
        rows = []
        for n, agency in enumerate(self.agency_ids):
            for j in range(3):
                rows.append(
                    (first + 3 * n + j, agency, f"Structure d’accueil {n + 1}-{j + 1}",
                     kinds[j % len(kinds)], f"Ville {n + 1}", self.agency_country[agency],
                     "", "", "", True)
                )  # fmt: skip
        self.load.write(
            HostStructure,
            ["id", "agency_id", "name", "kind", "city", "country", "contact_person", "email",
             "phone", "is_active"],
            rows,
        )  # fmt: skip
        self.load.reset_sequences(HostStructure)
        self.structures_of = {}
        for row in rows:
            self.structures_of.setdefault(row[1], []).append(row[0])

    # --- Volunteers, experiences, spans -------------------------------------------------------

    def _sending_agency(self, i: int) -> int:
        # A tenth of the volunteers belong to the large agency, the rest spread evenly.
        if i % 10 == 0:
            return self.agency_ids[0]
        return self.agency_ids[1 + i % (len(self.agency_ids) - 1)]

    def volunteers(self) -> None:
        rng, today = self.rng, self.today
        first_v = self.load.next_id(Volunteer)
        first_e = self.load.next_id(Experience)
        volunteers, experiences, spans = [], [], []
        needed = eligibility.VIR_RULES.min_experience_days
        e_id = first_e
        self.volunteers_of: dict[int, list[int]] = {}
        for i in range(self.n_volunteers):
            vid = first_v + i
            agency = self._sending_agency(i)
            country = self.agency_country[agency]
            profile = PROFILES[PROFILE_OF.get(country, "TG")]
            sex = "female" if rng.random() < 0.5 else "male"
            first_name = rng.choice(profile[sex])
            last_name = f"{rng.choice(profile['last'])}-{i:07d}"  # unique per agency
            age_days = rng.randint(16 * 365, 29 * 365)
            birth = today - datetime.timedelta(days=age_days)
            status = rng.choice(STATUSES)
            city = rng.choice(profile["cities"])
            self.volunteers_of.setdefault(agency, []).append(vid)
            periods = []
            start = today - datetime.timedelta(days=rng.randint(200, 2000))
            for _ in range(rng.randint(1, 3)):
                end = start + datetime.timedelta(days=rng.randint(60, 500))
                ongoing = end > today
                periods.append((start, None if ongoing else end))
                experiences.append(
                    (e_id, vid, rng.choice(profile["orgs"]), "Volontaire", start,
                     None if ongoing else end, "", "", "")
                )  # fmt: skip
                e_id += 1
                start = end - datetime.timedelta(days=rng.randint(-30, 90))  # some overlap
            merged = eligibility.merged_spans(periods)
            for span in merged:
                spans.append(
                    (vid, span.start, span.end, span.days_before, span.origin, span.days_through)
                )
            met_on = eligibility.experience_met_on(merged, needed)
            volunteers.append(
                (vid, first_name, last_name, sex, birth, country, False, f"v{vid}@example.org",
                 "", city, country, "", "", agency, status, "", None, met_on, self.now, self.now)
            )  # fmt: skip
        self.load.write(
            Volunteer,
            ["id", "first_name", "last_name", "sex", "birth_date", "nationality", "diaspora",
             "email", "phone", "city", "country", "education_level", "skills",
             "sending_agency_id", "status", "notes", "anonymised_at", "experience_met_on",
             "created_at", "updated_at"],
            volunteers,
            tally=VOLUNTEER_TALLY,
        )  # fmt: skip
        del volunteers
        self.load.write(
            Experience,
            ["id", "volunteer_id", "organisation", "role", "start", "end", "description",
             "proof", "proof_name"],
            experiences,
        )  # fmt: skip
        del experiences
        self.load.write(
            ExperienceSpan,
            ["volunteer_id", "start", "end", "days_before", "origin", "days_through"],
            spans,
        )
        self.load.reset_sequences(Volunteer, Experience, ExperienceSpan)

    # --- Agreements, versions, approvals, quotas ----------------------------------------------

    def agreements(self) -> None:
        rng = self.rng
        themes = list(Theme.objects.values_list("pk", flat=True))
        first = self.load.next_id(Agreement)
        ids = self.agency_ids
        rows, quotas, agreement_themes = [], [], []
        self.theme_of: dict[int, int] = {}
        self.quotas = []  # (quota id, agreement id, cohort, sending, receiving, places)
        q_id = self.load.next_id(Quota)
        pairs = set()
        for i in range(self.n_agreements):
            aid = first + i
            # The large agency is party to one agreement in ten.
            a = ids[0] if i % 10 == 0 else rng.choice(ids)
            b = rng.choice(ids)
            while b == a:
                b = rng.choice(ids)
            pairs.add((a, b))
            year = rng.randint(2015, self.today.year)
            start = datetime.date(year, 1, 1)
            end = datetime.date(year + 4, 12, 31)
            status = "approved" if i % 20 else rng.choice(["draft", "submitted", "suspended"])
            rows.append(
                (aid, f"VIR-GEN-{i + 1:06d}", f"Convention de réciprocité nº {i + 1}", a, b,
                 start, end, 18, 25, 24, 6, 12, "", "", "", status, "", self.now, self.now)
            )  # fmt: skip
            agreement_themes.append((aid, themes[i % len(themes)]))
            self.theme_of[aid] = themes[i % len(themes)]
            for cohort in (str(year), str(year + 1)):
                for sending, receiving in ((a, b), (b, a)):
                    places = rng.randint(2, 40)
                    quotas.append(
                        (q_id, aid, cohort, sending, receiving, places,
                         places if status != "draft" else None, None)
                    )  # fmt: skip
                    self.quotas.append((q_id, aid, cohort, sending, receiving, places, start))
                    q_id += 1
        self.load.write(
            Agreement,
            ["id", "reference", "title", "party_a_id", "party_b_id", "start_date", "end_date",
             "min_age", "max_age", "min_experience_months", "min_duration_months",
             "max_duration_months", "language_requirements", "notes", "document", "status",
             "status_reason", "created_at", "updated_at"],
            rows,
        )  # fmt: skip
        self.load.write(Agreement.themes.through, ["agreement_id", "theme_id"], agreement_themes)
        self.load.write(
            Quota,
            ["id", "agreement_id", "cohort", "sending_id", "receiving_id", "places",
             "approved_places", "duration_months"],
            quotas,
        )  # fmt: skip
        self.load.reset_sequences(Agreement, Quota)
        self.agreement_ids = [row[0] for row in rows]
        self._versions(first, len(rows))

    def _versions(self, first: int, count: int) -> None:
        """Version 1 of every agreement, approved by both parties where it is approved."""
        started = time.monotonic()
        approver = get_user_model().objects.get(username="bench-manager")
        v_id = self.load.next_id(AgreementVersion)
        versions, approvals, links = [], [], []
        qs = Agreement.objects.filter(pk__gte=first, pk__lt=first + count).select_related(
            "party_a", "party_b"
        )
        acronyms = dict(Agency.objects.values_list("pk", "acronym"))
        theme_codes = dict(Theme.objects.values_list("pk", "code"))
        quota_rows: dict[int, list] = {}
        for _q, aid, cohort, sending, receiving, places, _start in self.quotas:
            quota_rows.setdefault(aid, []).append(
                (cohort, acronyms[sending], acronyms[receiving], places, None)
            )
        for agreement in qs.iterator(chunk_size=2000):
            substance = render_substance(
                agreement,
                quotas=quota_rows.get(agreement.pk, []),
                themes=[theme_codes[self.theme_of[agreement.pk]]],
            )
            canonical = canonical_json(substance)
            sha = sha256_of(canonical)
            versions.append((v_id, agreement.pk, 1, canonical, sha, None, self.now))
            approved = agreement.status != "draft" and agreement.status != "submitted"
            if approved:
                for party in (agreement.party_a_id, agreement.party_b_id):
                    approvals.append((v_id, party, approver.pk, self.now, sha))
            links.append((agreement.pk, v_id, v_id if approved else None))
            v_id += 1
        self.load.write(
            AgreementVersion,
            ["id", "agreement_id", "number", "canonical", "sha256", "created_by_id", "created_at"],
            versions,
        )
        self.load.write(
            Approval, ["version_id", "agency_id", "user_id", "approved_at", "sha256"], approvals
        )
        self.load.reset_sequences(AgreementVersion, Approval)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE exchanges_agreement SET current_version_id = %s, "
                "last_approved_version_id = %s WHERE id = %s",
                [(v, last, a) for a, v, last in links],
            )
        self.out(f"  versions linked in {time.monotonic() - started:.1f} s")

    # --- Run ----------------------------------------------------------------------------------

    def run(self) -> None:
        started = time.monotonic()
        steps = [
            ("agencies", self.agencies),
            ("users", self.users),
            ("host structures", self.host_structures),
            ("volunteers", self.volunteers),
            ("agreements", self.agreements),
            *self.more_steps(),
        ]
        for label, step in steps:
            self.out(f"{label}…")
            with transaction.atomic():
                step()
        self.load.analyze()
        self.out(f"done in {time.monotonic() - started:.0f} s")

    def more_steps(self) -> list:
        return [
            ("missions and placements", self.missions_and_placements),
            ("evaluations", self.evaluations),
            ("reports", self.reports),
        ]

    # --- Missions and placements ---------------------------------------------------------------

    def missions_and_placements(self) -> None:
        """Two missions per quota; placements spread over the quotas in every status, never
        more taking a place than the quota has, each volunteer from the quota's sender."""
        rng = self.rng
        m_id, p_id = self.load.next_id(Mission), self.load.next_id(Placement)
        missions, placements = [], []
        base, extra = divmod(self.n_placements, max(1, len(self.quotas)))
        cursor = dict.fromkeys(self.volunteers_of, 0)
        # A nomination awaits an answer only before the mission starts; older ones were answered.
        pending = ["nominated", "declined", "cancelled", "withdrawn"]
        answered = ["declined", "cancelled", "withdrawn"]
        for index, (q_id, aid, cohort, sending, receiving, places, _start) in enumerate(
            self.quotas
        ):
            per_quota = base + (1 if index < extra else 0)
            year = int(cohort[:4])
            structures = self.structures_of[receiving]
            mission_ids = []
            for k in range(2):
                start = datetime.date(year, 10, 1) + datetime.timedelta(days=30 * k)
                missions.append(
                    (m_id, q_id, structures[k % len(structures)], f"Mission {m_id}", "",
                     self.theme_of[aid], f"Ville {receiving}", start,
                     start + datetime.timedelta(days=270), max(1, places // 2 + 1), "open",
                     None, self.now, self.now)
                )  # fmt: skip
                mission_ids.append((m_id, start))
                m_id += 1
            pool = self.volunteers_of.get(sending) or []
            if not pool:
                continue
            for n in range(per_quota):
                mission, start = mission_ids[n % 2]
                i = cursor[sending] = (cursor[sending] + 1) % len(pool)
                if n < places:
                    status = rng.choice(["confirmed", "deployed", "completed", "completed"])
                else:
                    status = rng.choice(pending if start > self.today else answered)
                departed = status in ("deployed", "completed")
                placements.append(
                    (p_id, mission, q_id, pool[i], status, "",
                     start if departed else None,
                     start + datetime.timedelta(days=270) if status == "completed" else None,
                     None, self.now, None, None, self.now)
                )  # fmt: skip
                p_id += 1
        self.load.write(
            Mission,
            ["id", "quota_id", "host_structure_id", "title", "description", "theme_id", "city",
             "start_date", "end_date", "places", "status", "created_by_id", "created_at",
             "updated_at"],
            missions,
        )  # fmt: skip
        del missions
        self.load.write(
            Placement,
            ["id", "mission_id", "quota_id", "volunteer_id", "status", "reason",
             "departure_date", "return_date", "nominated_by_id", "nominated_at",
             "decided_by_id", "decided_at", "updated_at"],
            placements,
            tally=PLACEMENT_TALLY,
        )  # fmt: skip
        self.load.reset_sequences(Mission, Placement)

    # --- Evaluations ---------------------------------------------------------------------------

    def evaluations(self) -> None:
        """A published evaluation for one cohort in ten, with scores and findings."""
        e_id = self.load.next_id(Evaluation)
        evaluations, scores, findings = [], [], []
        criteria = list(Criterion.values)
        axes = list(Axis.values)
        kinds = [k for k, _ in Finding.Kind.choices]
        seen = set()
        for i, (_q, aid, cohort, sending, _receiving, _places, _start) in enumerate(self.quotas):
            if i % 40 or (aid, cohort) in seen:
                continue
            seen.add((aid, cohort))
            year = int(cohort[:4])
            evaluations.append(
                (e_id, aid, cohort, sending, f"Évaluation de la cohorte {cohort}",
                 datetime.date(year, 10, 1), datetime.date(year + 1, 9, 30), None, None, "",
                 "", "", "", "", "published", 1, None, None, self.now, self.now, None)
            )  # fmt: skip
            for c in criteria:
                scores.append((e_id, c, self.rng.randint(1, 5), ""))
            for k, kind in enumerate(kinds):
                owner = sending if kind == "recommendation" else None
                due = datetime.date(year + 1, 12, 31) if owner else None
                findings.append(
                    (e_id, axes[k % len(axes)], kind, k, f"Constat nº {k + 1} : à améliorer.",
                     owner, due, "open" if owner else "")
                )  # fmt: skip
            e_id += 1
        self.load.write(
            Evaluation,
            ["id", "agreement_id", "cohort", "agency_id", "title", "period_start", "period_end",
             "visit_start", "visit_end", "visit_place", "participants", "context", "method",
             "summary", "status", "version", "previous_id", "created_by_id", "created_at",
             "published_at", "published_by_id"],
            evaluations,
        )  # fmt: skip
        self.load.write(Score, ["evaluation_id", "criterion", "value", "comment"], scores)
        self.load.write(
            Finding,
            ["evaluation_id", "axis", "kind", "order", "text", "owner_id", "due_date",
             "follow_up"],
            findings,
        )  # fmt: skip
        self.load.reset_sequences(Evaluation, Score, Finding)

    # --- Reports -------------------------------------------------------------------------------

    def reports(self) -> None:
        """What three years of the monthly run leave: each agency's quota report every month
        (PDF and CSV), and one PDF per agreement for one agreement in ten. Rows only (the
        reports page lists them; no file is written)."""
        rows = []
        months = [(self.today.replace(day=1) - datetime.timedelta(days=30 * m)) for m in range(36)]
        for agency in self.agency_ids:
            for m, month in enumerate(months):
                start = month.replace(day=1)
                end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(1)
                at = timezone.make_aware(datetime.datetime.combine(end, datetime.time(6)))
                fmt = "pdf" if m % 2 else "csv"
                rows.append(
                    ("quota", fmt, "fr", "done", None, agency, start, end, "{}", "",
                     f"quotas-{agency}-{start:%Y-%m}.{fmt}", "0" * 64, 1000, "", 1, at)
                )  # fmt: skip
        for aid in self.agreement_ids[::10]:
            rows.append(
                ("quota", "pdf", "fr", "done", aid, None, None, None, "{}", "",
                 f"quotas-{aid}.pdf", "0" * 64, 1000, "", 1, self.now)
            )  # fmt: skip
        self.load.write(
            Report,
            ["kind", "format", "language", "status", "agreement_id", "agency_id",
             "period_start", "period_end", "params", "file", "filename", "sha256", "size",
             "error", "attempts", "created_at"],
            rows,
        )  # fmt: skip
        self.load.reset_sequences(Report)
