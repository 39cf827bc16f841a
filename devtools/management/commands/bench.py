"""``make bench``: server time and queries of every GET page on a large dataset, as an agency
member and as the platform administrator, beside the admin; then throughput and a mixed workload
against gunicorn.

Run ``manage.py generate_data`` first (``make bench`` does). See docs/performance.md.
"""

import logging
import re
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from core.startup import freeze_loaded_objects
from devtools import bench, bench_load
from devtools.bench_pages import ADMIN, MANAGER, MEMBER, READERS, cases, first_row, jobs, objects
from volunteers.forms import ExperienceFormSet, LanguageFormSet, VolunteerForm
from volunteers.models import Volunteer

MARKER = "Bench"


def session_key(user) -> str:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def form_data(volunteer) -> dict:
    """The edit form of ``volunteer`` as the browser would post it unchanged."""
    from django.forms import CheckboxInput, FileInput

    data = {}
    forms = [VolunteerForm(instance=volunteer, agency=volunteer.sending_agency)]
    for formset in (
        ExperienceFormSet(instance=volunteer, prefix="experiences"),
        LanguageFormSet(instance=volunteer, prefix="languages"),
    ):
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, FileInput):
                continue
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif value is not None:
                data[field.html_name] = (
                    value.isoformat() if hasattr(value, "isoformat") else str(value)
                )
    return data


class Command(BaseCommand):
    help = "Measure every page (member and administrator) against the admin, then throughput."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=10)
        parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
        parser.add_argument(
            "--rounds", type=int, default=3, help="wrk runs per page, in turn (the median)"
        )
        parser.add_argument("--mixed-seconds", type=int, default=20)
        parser.add_argument("--only", default="", help="measure the pages whose label matches")
        parser.add_argument("--no-pages", action="store_true")
        parser.add_argument("--no-jobs", action="store_true")
        parser.add_argument("--no-throughput", action="store_true")
        parser.add_argument(
            "--no-files", action="store_true", help="skip the volunteer import and exports"
        )

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
        # Refusals (403) are expected rows of the table, and errors show there as HTTP 500.
        logging.getLogger("django.request").setLevel(logging.CRITICAL)
        User = get_user_model()
        o = objects()
        admin_user = User.objects.filter(username=ADMIN, is_superuser=True).first()
        admin_user = admin_user or User.objects.filter(is_superuser=True).order_by("pk").first()
        members = {}
        for name in (MEMBER, MANAGER):
            members[name] = Client(raise_request_exception=False)  # an error is a row: HTTP 500
            members[name].force_login(User.objects.get(username=name))
        admin = Client(raise_request_exception=False)
        admin.force_login(admin_user)
        if not options["no_jobs"]:
            self.stdout.write("\nReports (in-process, as the Celery task builds them)\n")
            self.stdout.write(bench.measure_jobs(jobs(o)) + "\n")
            self.stdout.write("\nDemo evaluation PDF (a fresh process on the demo data)\n")
            self.stdout.write(bench.evaluation_pdf() + "\n")
        if not options["no_files"]:
            # The import of 5,000 rows into an agency of 100,000 volunteers (added once), and
            # the export jobs of that agency as CSV and XLSX (goals: 2 s; 30 s and 300 MB).
            self.stdout.write("\nVolunteer files (manage.py measure_volunteer_files)\n")
            call_command("measure_volunteer_files", repeat=3, export=True, stdout=self.stdout)
        if not options["no_throughput"]:
            self.throughput(o, options)
        if not options["no_pages"]:
            selected = [c for c in cases(o) if re.search(options["only"], c.label)]
            results = []
            freeze_loaded_objects()  # as a server's worker does (config/wsgi.py)
            self.stdout.write(
                f"\nServer time, in-process, {options['repeat']} runs after a first one; member "
                f"= {MEMBER} ({MANAGER} for manager-only pages), admin = {admin_user.username}\n"
            )
            for case in selected:
                results.append(
                    bench.measure(case, members=members, admin=admin, repeat=options["repeat"])
                )
                lines = bench.table(results[-1:]).splitlines()
                self.stdout.write("\n".join(lines if len(results) == 1 else lines[2:]) + "\n")
                self.stdout.flush()
            met = sum(1 for r in results if bench.verdict(r) in ("ok", "– (not a page)"))
            self.stdout.write(f"\n{met} of {len(results)} rows meet their goals.\n")

    def throughput(self, o, options):
        User = get_user_model()
        officer = User.objects.get(username=MEMBER)
        key = session_key(officer)
        volunteer = first_row(o)
        original = (volunteer.first_name, volunteer.last_name)
        base = form_data(volunteer)
        with bench_load.gunicorn(workers=2) as port:
            rows = bench_load.throughput(
                port,
                {
                    "bare page (ceiling)": reverse("bench_bare"),
                    "volunteer list": reverse("volunteers:index"),
                    "home page": reverse("home"),
                },
                session_key=key,
                seconds=options["seconds"],
                rounds=options["rounds"],
            )
            ceiling = rows[0]["rps"] or float("nan")  # nan: the bare page answered nothing
            self.stdout.write(
                "\nThroughput: wrk, 8 connections, gunicorn 2 workers; the pages in turn, "
                f"{options['rounds']} rounds of {options['seconds']} s, each page's median run\n"
            )
            self.stdout.write(
                "| page | req/s | p95 ms | share of bare | errors | runs (req/s) |\n"
                "|---|---|---|---|---|---|\n"
            )
            for row in rows:
                runs = ", ".join(f"{rps:.0f}" for rps in row["runs"])
                self.stdout.write(
                    f"| {row['label']} | {row['rps']:.0f} | {row['p95']:.1f} | "
                    f"{100 * row['rps'] / ceiling:.0f} % | {row['errors']} | {runs} |\n"
                )
            readers = [session_key(User.objects.get(username=name)) for name in READERS]
            try:
                mixed = bench_load.mixed_workload(
                    port,
                    readers=readers,
                    pages={
                        "home page": reverse("home"),
                        "volunteer list": reverse("volunteers:index"),
                    },
                    writer=key,
                    write_path=reverse("volunteers:edit", args=[volunteer.pk]),
                    # A surname sorting first keeps the volunteer on the list's first page.
                    write_data=lambda n: {
                        **base,
                        "first_name": f"{MARKER}{bench_load.letters(n)}",
                        "last_name": "Aaabench",
                    },
                    marker=MARKER,
                    seconds=options["mixed_seconds"],
                )
            finally:
                Volunteer.objects.filter(pk=volunteer.pk).update(
                    first_name=original[0], last_name=original[1]
                )
        self.stdout.write(
            f"\nMixed workload: {len(readers)} officers reading in turn the home page and the "
            f"volunteer list, one writer renaming the list's first volunteer every second "
            f"(POST of the edit form), gunicorn 2 workers, {mixed['seconds']:.0f} s\n"
        )
        self.stdout.write(
            "| page | requests | req/s | median ms | p95 ms | errors |\n|---|---|---|---|---|---|\n"
        )
        for row in mixed["pages"]:
            self.stdout.write(
                f"| {row['label']} | {row['requests']} | {row['rps']:.1f} | {row['median']:.0f} "
                f"| {row['p95']:.0f} | {row['errors']} |\n"
            )
        self.stdout.write(
            f"| writer (edit form POST) | {mixed['writes']} | – | {mixed['write_median']:.0f} "
            f"| {mixed['write_p95']:.0f} | {mixed['write_errors']} |\n"
        )
        self.stdout.write(
            f"\nFreshness: {mixed['checked']} list pages read after a committed rename; "
            f"{mixed['stale']} showed an older name (worst lag: {mixed['worst_lag']} writes).\n"
        )
        share = 100 * rows[1]["rps"] / ceiling
        self.stdout.write(
            f"Volunteer list at {share:.0f} % of the bare page's req/s (goal ≥ 30 %): "
            f"{'ok' if share >= 30 else 'MISSED'}.\n"
        )
