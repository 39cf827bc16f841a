"""Time and peak memory of rendering the demo evaluation PDF (goals: 1.5 s, 300 MB); with
``--longest``, every text of it made as long as its form allows first (a throwaway database)."""

import resource
import time

from django.core.management.base import BaseCommand

from evaluations.models import Evaluation, Finding, Score
from evaluations.reports import build
from reports.models import Report

DEMO_TITLE = "Évaluation de l’expérience pilote Togo–Mali 2017"


class Command(BaseCommand):
    help = "Print the time and peak memory to render the demo evaluation PDF (load_demo first)."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="fr")
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument(
            "--longest",
            action="store_true",
            help="make the title, the findings and the comments as long as the forms allow",
        )

    def handle(self, *args, language, runs, longest, **options):
        evaluation = Evaluation.objects.filter(title=DEMO_TITLE).order_by("-version").first()
        if evaluation is None:
            self.stderr.write("No demo evaluation: run load_demo first.")
            return
        label = "evaluation PDF"
        if longest:
            _lengthen(evaluation)
            label = "evaluation PDF, longest texts"
        report = Report(kind=Report.Kind.EVALUATION, evaluation=evaluation, language=language)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            pdf, _name = build(report)
            timings.append(time.perf_counter() - started)
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # The goals are the demo's: the longest texts make a document of several more pages.
        goals = "" if longest else " (goals: under 1.5 s, under 300 MiB)"
        self.stdout.write(
            f"{label} ({language}, {len(pdf)} bytes): first {timings[0]:.3f} s, "
            f"best {min(timings):.3f} s over {runs} runs; peak memory {peak_kib / 1024:.0f} MiB"
            f"{goals}"
        )


def _lengthen(evaluation: Evaluation) -> None:
    """The title one unbroken word, every finding and score comment at its longest."""

    def longest(model, field):
        return model._meta.get_field(field).max_length

    Evaluation.objects.filter(pk=evaluation.pk).update(title="É" * longest(Evaluation, "title"))
    words = "recommandation " * 1000
    evaluation.findings.update(text=words[: longest(Finding, "text")])
    evaluation.scores.update(comment=words[: longest(Score, "comment")])
