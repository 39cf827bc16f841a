"""Time and peak memory of rendering the demo evaluation PDF (goals: 1.5 s, 300 MB)."""

import resource
import time

from django.core.management.base import BaseCommand

from evaluations.models import Evaluation
from evaluations.reports import build
from reports.models import Report

DEMO_TITLE = "Évaluation de l’expérience pilote Togo–Mali 2017"


class Command(BaseCommand):
    help = "Print the time and peak memory to render the demo evaluation PDF (load_demo first)."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="fr")
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args, language, runs, **options):
        evaluation = Evaluation.objects.filter(title=DEMO_TITLE).order_by("-version").first()
        if evaluation is None:
            self.stderr.write("No demo evaluation: run load_demo first.")
            return
        report = Report(kind=Report.Kind.EVALUATION, evaluation=evaluation, language=language)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            pdf, _name = build(report)
            timings.append(time.perf_counter() - started)
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(
            f"evaluation PDF ({language}, {len(pdf)} bytes): first {timings[0]:.3f} s, "
            f"best {min(timings):.3f} s over {runs} runs; peak memory {peak_kib / 1024:.0f} MiB "
            f"(goals: under 1.5 s, under 300 MiB)"
        )
