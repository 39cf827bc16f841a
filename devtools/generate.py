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

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, HostStructure, Membership, Theme
from agencies.reference import load_reference_data
from devtools.demo_volunteers import PROFILES
from devtools.generate_later import LaterSteps
from devtools.loader import Loader
from exchanges.models import Agreement, AgreementVersion, Approval, Quota
from exchanges.versions import canonical_json, render_substance, sha256_of
from volunteers import eligibility
from volunteers.models import Experience, ExperienceSpan, Volunteer
from volunteers.tallies import TALLY as VOLUNTEER_TALLY

COUNTRIES = ["TG", "ML", "BF", "FR", "EC", "SN", "CI", "BJ", "NE", "MA", "PE", "CO", "BE", "CM"]
PROFILE_OF = {"TG": "TG", "ML": "ML", "BF": "BF", "FR": "FR", "EC": "EC", "PE": "EC", "CO": "EC"}
STATUSES = ["candidate"] * 6 + ["selected", "deployed", "returned", "withdrawn"]


class Generator(LaterSteps):
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
            tallies=(VOLUNTEER_TALLY,),
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
                 start, end, 18, 25, 730, 6, 12, 2, None if status in ("draft", "submitted") else 2,
                 "", "", "", status, "", self.now, self.now)
            )  # fmt: skip
            agreement_themes.append((aid, themes[i % len(themes)]))
            self.theme_of[aid] = themes[i % len(themes)]
            for cohort in (year, year + 1):
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
             "min_age", "max_age", "min_experience_days", "min_duration_months",
             "max_duration_months", "imbalance_threshold", "approved_imbalance_threshold",
             "language_requirements", "notes",
             "document", "status", "status_reason", "created_at", "updated_at"],
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
