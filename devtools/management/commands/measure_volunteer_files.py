"""Time the volunteer import (and the export job) on a large agency: ``manage.py
measure_volunteer_files``. A measurement for docs/performance.md, not a test.

It adds to the database of ``DATABASE_URL`` an agency ``MEASURE`` holding ``--volunteers``
volunteers (once, by COPY on PostgreSQL), then imports a generated file of ``--rows`` rows into
it ``--repeat`` times (each run's volunteers and job are deleted afterwards, untimed), and with
``--export`` runs the export job of the whole agency as CSV and XLSX.
"""

from __future__ import annotations

import datetime
import io
import resource
import statistics
import time
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.reference import load_reference_data
from core import csv as safe_csv
from devtools.generate import Loader
from volunteers import export_jobs, services
from volunteers.columns import COLUMNS
from volunteers.duplicates import find_duplicates
from volunteers.importing import Lookups, RowChecker, read_table
from volunteers.models import Experience, ExperienceSpan, LanguageSkill, Volunteer

ACRONYM = "MEASURE"
FIRST = ["Akossiwa", "Kossi", "Essowè", "Adjo", "Mawuli", "Fatoumata", "Sélom", "Yaovi"]
LAST = ["Mensah", "Agbéko", "N’Tcha", "Kpodar-Ékué", "d’Almeida", "Traoré", "Amouzou"]


def _letters(n: int) -> str:
    """Names take no digits: 0 → "A", 27 → "Bb"."""
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if not n:
            return out.capitalize()


class Command(BaseCommand):
    help = "Time the import of a generated file into a large agency, and the export job."

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=100_000)
        parser.add_argument("--rows", type=int, default=5_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--export", action="store_true", help="also time the export job")
        parser.add_argument("--no-import", action="store_true")

    def handle(self, *args, **options):
        agency = self._agency(options["volunteers"])
        user = self._officer(agency)
        held = Volunteer.objects.filter(sending_agency=agency).count()
        self.stdout.write(f"{connection.vendor}: {ACRONYM} holds {held:,} volunteers")
        if not options["no_import"]:
            self._imports(agency, user, options["rows"], options["repeat"])
        if options["export"]:
            self._exports(user)

    # --- Data ---------------------------------------------------------------------------------

    def _agency(self, volunteers: int) -> Agency:
        load_reference_data()
        agency, created = Agency.objects.get_or_create(
            acronym=ACRONYM,
            defaults={"name": "Agence de mesure", "country": "TG", "kind": "national_agency"},
        )
        if created:
            self._seed(agency, volunteers)
        return agency

    def _seed(self, agency: Agency, count: int) -> None:
        load = Loader(self.stdout.write)
        first = load.next_id(Volunteer)
        now, today = timezone.now(), timezone.localdate()
        rows = (
            (first + i, FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]}-{i:07d}", "female",
             today - datetime.timedelta(days=6000 + i % 3000), "TG", False,
             f"m{first + i}@example.org", "", "Lomé", "TG", "", "", agency.pk, "candidate", "",
             None, None, now, now)
            for i in range(count)
        )  # fmt: skip
        with transaction.atomic():
            load.write(
                Volunteer,
                ["id", "first_name", "last_name", "sex", "birth_date", "nationality",
                 "diaspora", "email", "phone", "city", "country", "education_level", "skills",
                 "sending_agency_id", "status", "notes", "anonymised_at", "experience_met_on",
                 "created_at", "updated_at"],
                rows,
            )  # fmt: skip
            load.reset_sequences(Volunteer)
        load.analyze()

    def _officer(self, agency: Agency):
        user, _ = get_user_model().objects.get_or_create(username="measure-officer")
        Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": "officer"})
        return user

    # --- Import -------------------------------------------------------------------------------

    def _file(self, rows: int, run: int) -> bytes:
        """Rows like an agency's spreadsheet: accents, a language, a theme, a period; one row
        in a hundred repeats the e-mail of a volunteer already registered."""
        existing = list(
            Volunteer.objects.filter(sending_agency__acronym=ACRONYM)
            .order_by("pk")
            .values_list("email", flat=True)[: rows // 100]
        )
        header = [c.fr for c in COLUMNS]
        position = {c.key: i for i, c in enumerate(COLUMNS)}
        buffer = io.StringIO()
        writer = safe_csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        for n in range(rows):
            row = [""] * len(header)
            values = {
                "first_name": FIRST[n % len(FIRST)],
                "last_name": f"{LAST[n % len(LAST)]} {_letters(run * 100_000 + n)}",
                "sex": "F",
                "birth_date": f"{1 + n % 28:02d}/03/2002",
                "nationality": "TG",
                "email": existing[n // 100] if n % 100 == 0 and existing else f"i{run}-{n}@ex.org",
                "languages": "fr:natif, ee:natif",
                "themes": "Prévention et santé",
                "experience_1_organisation": "Croix-Rouge togolaise",
                "experience_1_start": "01/01/2021",
            }
            for key, value in values.items():
                row[position[key]] = value
            writer.writerow(row)
        return buffer.getvalue().encode("utf-8")

    def _imports(self, agency, user, rows: int, repeat: int) -> None:
        totals, duplicates = [], []
        for run in range(repeat):
            data = self._file(rows, run)
            last = Volunteer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            # The duplicate check alone, as the import runs it.
            header, table = read_table(data, "csv")
            checker = RowChecker(agency=agency, header=header, lookups=Lookups())
            parsed = [p for p in (checker.check(n, v)[0] for n, v in table) if p]
            started = time.perf_counter()
            found = find_duplicates(agency, parsed)
            duplicates.append(time.perf_counter() - started)
            # The whole job: read, check, duplicates, write (one transaction).
            # Recorded without its task (run here, timed, whatever the broker settings).
            with mock.patch.object(services, "enqueue_on_commit"):
                job, _ = services.volunteer_import_submit(
                    agency=agency, user=user, data=data, file_name=f"m{run}.csv", language="fr"
                )
            started = time.perf_counter()
            services.volunteer_import_run(import_id=job.pk)
            totals.append(time.perf_counter() - started)
            job.refresh_from_db()
            self.stdout.write(
                f"  import {run + 1}: {totals[-1]:.2f} s ({job.status}, {job.created_count} "
                f"created, {job.duplicate_count} duplicates; duplicate check "
                f"{duplicates[-1]:.3f} s, {len(found)} found)"
            )
            Volunteer.objects.filter(sending_agency=agency, pk__gt=last).delete()
            Volunteer.history.filter(sending_agency=agency, id__gt=last).delete()
            job.file.delete(save=False)
            job.delete()
            self._vacuum()
        self.stdout.write(
            f"import of {rows:,} rows: median {statistics.median(totals):.2f} s, "
            f"duplicate check median {statistics.median(duplicates):.3f} s"
        )

    def _vacuum(self) -> None:
        """Clear the dead rows the cleanup left (untimed), so that each run meets the tables
        as the first run did, and as an agency's import does: without 5,000 volunteers just
        deleted, whose dead index entries the duplicate check and the writes would step over
        (autovacuum waits for a fifth of the table to change)."""
        if connection.vendor != "postgresql":
            return
        models = [Volunteer, Volunteer.history.model, Volunteer.themes.through,
                  apps.get_model("volunteers", "HistoricalVolunteer_themes"), LanguageSkill,
                  Experience, ExperienceSpan]  # fmt: skip
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")

    # --- Export -------------------------------------------------------------------------------

    def _exports(self, user) -> None:
        for file_format in ("csv", "xlsx"):
            # Recorded without its task (run here, timed, whatever the broker settings).
            with mock.patch.object(export_jobs, "enqueue", return_value=False):
                job = export_jobs.volunteer_export_request(
                    user=user, file_format=file_format, filters={}, language="fr"
                )
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            export_jobs.volunteer_export_run(export_id=job.pk)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            job.refresh_from_db()
            self.stdout.write(
                f"export {file_format}: {job.rows_written:,} rows in {elapsed:.2f} s, "
                f"{job.size / 1e6:.1f} MB ({job.status}); process peak RSS {peak / 1024:.0f} MB "
                f"(was {before / 1024:.0f} MB)"
            )
            job.file.delete(save=False)
            job.delete()
