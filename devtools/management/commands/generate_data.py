from django.core.management.base import BaseCommand

from devtools.generate import Generator
from devtools.generate_programmes import add_programmes


class Command(BaseCommand):
    help = (
        "Generate a large, realistic, reproducible dataset for the benchmark (bulk inserts; "
        "COPY on PostgreSQL). Adds to the database: run it on an empty one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=10_000)
        parser.add_argument("--agencies", type=int, default=30)
        parser.add_argument("--agreements", type=int, default=300)
        parser.add_argument(
            "--placements", type=int, default=None, help="default: twice the volunteers"
        )
        parser.add_argument("--seed", type=int, default=2017)
        parser.add_argument(
            "--programmes",
            action="store_true",
            help="only add a programme with its call, applications and missions to the "
            "generated data already there (issue 19)",
        )
        parser.add_argument("--programme-applications", type=int, default=2000)
        parser.add_argument("--programme-missions", type=int, default=1500)

    def handle(self, *args, **options):
        if options["programmes"]:
            add_programmes(
                applications=options["programme_applications"],
                missions=options["programme_missions"],
                seed=options["seed"],
                out=self.stdout.write,
            )
            return
        Generator(
            volunteers=options["volunteers"],
            agencies=options["agencies"],
            agreements=options["agreements"],
            placements=options["placements"] or 2 * options["volunteers"],
            seed=options["seed"],
            out=self.stdout.write,
        ).run()
