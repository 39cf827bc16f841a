"""Bulk writing for the data generator: explicit ids, ``COPY`` on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import connection, models

from core.tallies import rebuild


class Loader:
    """Writes rows of a model with explicit ids, fast on PostgreSQL."""

    def __init__(self, out: Callable[[str], None]):
        self.out = out
        self.postgres = connection.vendor == "postgresql"

    def next_id(self, model) -> int:
        last = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
        return last + 1

    def write(self, model, columns: list[str], rows: Iterable[tuple], tallies=()) -> int:
        """``tallies``: the ``core.tallies.Tally`` counting this table. Their row triggers would
        update the same few counter rows once per row loaded, each update slower than the last
        inside one transaction (a million volunteers: over 15 minutes); they are switched off
        for the load and the tally counted again from the table, in the same transaction."""
        table = model._meta.db_table
        started = time.monotonic()
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                if tallies:
                    cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
                cols = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                if tallies:
                    # The foreign keys' checks, deferred to the commit, are queued trigger
                    # events: ALTER TABLE waits for none, so they run now.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    for tally in tallies:
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
