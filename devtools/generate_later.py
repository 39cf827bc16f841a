"""The data generator's later steps: missions and placements, evaluations, reports (mixed into
``devtools.generate.Generator``, which holds the random source, the loader and the ids)."""

from __future__ import annotations

import datetime
import json

from django.utils import timezone

from evaluations.models import Axis, Criterion, Evaluation, Finding, Score
from evaluations.selectors import evaluation_figures
from missions.models import Mission, Placement
from missions.tallies import TALLY, USED_TALLY
from reports.models import Report

PLACEMENT_TALLIES = (TALLY, USED_TALLY)

# Replaced by the real figures once the rows are loaded (a published row needs figures).
EMPTY_FIGURES = json.dumps(
    {"quotas": [], "placements_by_outcome": {}, "insertion_follow_ups": {}, "recommendations": {}}
)


class LaterSteps:
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
            year = cohort
            structures = self.structures_of[receiving]
            mission_ids = []
            for k in range(2):
                start = datetime.date(year, 10, 1) + datetime.timedelta(days=30 * k)
                missions.append(
                    (m_id, q_id, structures[k % len(structures)], f"Mission {m_id}", "",
                     self.theme_of[aid], f"Ville {receiving}", start,
                     start + datetime.timedelta(days=270), max(1, places // 2 + 1), "open",
                     None, self.now, self.now, sending, receiving)
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
                     None, self.now, None, None, self.now, "", "")
                )  # fmt: skip
                p_id += 1
        self.load.write(
            Mission,
            ["id", "quota_id", "host_structure_id", "title", "description", "theme_id", "city",
             "start_date", "end_date", "places", "status", "created_by_id", "created_at",
             "updated_at", "sending_id", "receiving_id"],
            missions,
        )  # fmt: skip
        del missions
        self.load.write(
            Placement,
            ["id", "mission_id", "quota_id", "volunteer_id", "status", "reason",
             "departure_date", "return_date", "nominated_by_id", "nominated_at",
             "decided_by_id", "decided_at", "updated_at", "early_return_reason",
             "early_return_note"],
            placements,
            tallies=PLACEMENT_TALLIES,
        )  # fmt: skip
        self.load.reset_sequences(Mission, Placement)

    # --- Evaluations ---------------------------------------------------------------------------

    def evaluations(self) -> None:
        """A published evaluation for one cohort in ten, with scores and findings."""
        e_id = first_id = self.load.next_id(Evaluation)
        evaluations, scores, findings = [], [], []
        criteria = list(Criterion.values)
        axes = list(Axis.values)
        kinds = [k for k, _ in Finding.Kind.choices]
        seen = set()
        for i, (_q, aid, cohort, sending, _receiving, _places, _start) in enumerate(self.quotas):
            if i % 40 or (aid, cohort) in seen:
                continue
            seen.add((aid, cohort))
            year = cohort
            evaluations.append(
                (e_id, aid, str(cohort), sending, f"Évaluation de la cohorte {cohort}",
                 datetime.date(year, 10, 1), datetime.date(year + 1, 9, 30), None, None, "",
                 "", "", "", "", "published", 1, None, None, self.now, self.now, None,
                 EMPTY_FIGURES)
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
             "published_at", "published_by_id", "figures"],
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
        # Published: their figures frozen as the publication does (the rows above are loaded).
        for evaluation in Evaluation.objects.filter(pk__gte=first_id).select_related("agreement"):
            Evaluation.objects.filter(pk=evaluation.pk).update(
                figures=evaluation_figures(evaluation=evaluation)
            )

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
