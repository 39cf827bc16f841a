"""``make bench``: server time, queries and throughput of the main pages on a large dataset.

Run ``manage.py generate_data`` first (``make bench`` does). See docs/performance.md.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from core import bench
from devtools.bench_pages import cases, jobs, main_user


class Command(BaseCommand):
    help = "Measure the main pages against the admin and the bare SQL, then throughput with wrk."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
        parser.add_argument("--no-throughput", action="store_true")

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
        User = get_user_model()
        user = User.objects.get(username=main_user())
        admin_user = User.objects.filter(is_superuser=True).order_by("pk").first()
        client, admin = Client(), Client()
        client.force_login(user)
        admin.force_login(admin_user)
        results = [
            bench.measure(case, client=client, admin=admin, repeat=options["repeat"])
            for case in cases(user)
        ]
        self.stdout.write(
            f"\nServer time as {user.username} (in-process, {options['repeat']} runs)\n"
        )
        self.stdout.write(bench.table(results) + "\n")
        self.stdout.write("\nReports (in-process, as the Celery task builds them)\n")
        self.stdout.write(bench.measure_jobs(jobs(user)) + "\n")
        self.stdout.write("\nDemo evaluation PDF (a fresh process on the demo data)\n")
        self.stdout.write(bench.evaluation_pdf() + "\n")
        if options["no_throughput"]:
            return
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        rows = bench.throughput(
            {
                "bare page (ceiling)": reverse("bench_bare"),
                "volunteer list": reverse("volunteers:index"),
                "home page": reverse("home"),
            },
            session_key=session.session_key,
            seconds=options["seconds"],
        )
        ceiling = rows[0]["rps"]
        self.stdout.write("\nThroughput: wrk, 8 connections, gunicorn 2 workers\n")
        self.stdout.write(
            "| page | req/s | p95 ms | share of ceiling | errors |\n|---|---|---|---|---|\n"
        )
        for row in rows:
            self.stdout.write(
                f"| {row['label']} | {row['rps']:.0f} | {row['p95']:.1f} | "
                f"{100 * row['rps'] / ceiling:.0f} % | {row['errors']} |\n"
            )
