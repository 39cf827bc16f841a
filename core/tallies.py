"""Counter tables kept by the database itself.

A tally table holds ``n``, the number of rows of a source table per key (a volunteer's agency
and status; a placement's quota and status). Triggers on the source table keep it exact on every
insert, delete and update of a key column, whatever writes the row: a service, the admin, a bulk
``update()``, raw SQL, a data migration. A page reads a few tally rows instead of counting
hundreds of thousands of rows, and never shows a count that a fresh ``COUNT(*)`` would not.

Only a change of a key column touches the tally (a new phone number does not), so the counters
are not hot rows for ordinary edits. On PostgreSQL the triggers run once per statement over the
statement's rows: a bulk insert adds to each counter once, not once per row. ``TRUNCATE`` fires
none of them: whoever truncates a source table calls ``rebuild`` afterwards.

On SQLite a migration that rebuilds a source table drops its triggers: ``core.triggers`` puts
them back after ``migrate``.
"""

# ruff: noqa: S608  (table and column names come from the code, never from input)
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .triggers import register  # noqa: F401  (the tallies' modules register through here)


class TallyRow(models.Model):
    """A row of a tally table: ``n`` rows of the source are in ``status`` (plus the subclass's
    key). Kept by triggers: never write it."""

    status = models.CharField(_("status"), max_length=20)
    n = models.IntegerField(_("number"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.status}: {self.n}"


@dataclass(frozen=True)
class Tally:
    """``table`` counts the rows of ``source`` per ``keys``: (tally column, source column, or
    SQL on a source row named ``{row}``: a key read through another table); with ``only``, the
    rows that meet that condition (SQL on ``{row}``): the placements that take a place, say.
    ``watched``: the source columns, besides the plain keys, whose change moves a row from one
    count to another (those ``only`` and the keys' SQL read)."""

    table: str
    source: str
    keys: tuple[tuple[str, str], ...]
    only: str = ""
    watched: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.table}_count"

    @staticmethod
    def _key(src: str, row: str) -> str:
        return src.format(row=row) if "{row}" in src else f"{row}.{src}"

    @property
    def _columns(self) -> list[str]:
        """The source columns a change of which may move a row between counts."""
        plain = [src for _, src in self.keys if "{row}" not in src]
        return plain + [c for c in self.watched if c not in plain]

    def _counts(self, row: str) -> str:
        return f"({self.only.format(row=row)})" if self.only else "TRUE"

    def _where(self, row: str) -> str:
        return " AND ".join(f"{col} = {self._key(src, row)}" for col, src in self.keys)

    def _upsert(self, row: str) -> str:
        cols = ", ".join(col for col, _ in self.keys)
        values = ", ".join(self._key(src, row) for _, src in self.keys)
        # SELECT … WHERE rather than VALUES: the condition; SQLite needs the WHERE anyway to
        # read ON CONFLICT as the upsert's.
        return (
            f"INSERT INTO {self.table} ({cols}, n) SELECT {values}, 1 WHERE {self._counts(row)} "
            f"ON CONFLICT ({cols}) DO UPDATE SET n = {self.table}.n + 1;"
        )

    def _decrement(self, row: str) -> str:
        return (
            f"UPDATE {self.table} SET n = n - 1 WHERE {self._where(row)} AND {self._counts(row)};"
        )

    def _changed(self, distinct: str) -> str:
        return " OR ".join(f"OLD.{src} {distinct} NEW.{src}" for src in self._columns)

    def create_sql(self, vendor: str) -> list[str]:
        sources = ", ".join(self._columns)
        if vendor == "postgresql":
            return self._statement_triggers()
        if vendor == "sqlite":
            return [
                f"""CREATE TRIGGER {self.name}_insert AFTER INSERT ON {self.source}
                BEGIN {self._upsert("NEW")} END""",
                f"""CREATE TRIGGER {self.name}_delete AFTER DELETE ON {self.source}
                BEGIN {self._decrement("OLD")} END""",
                f"""CREATE TRIGGER {self.name}_update AFTER UPDATE OF {sources} ON {self.source}
                WHEN {self._changed("IS NOT")}
                BEGIN {self._decrement("OLD")} {self._upsert("NEW")} END""",
            ]
        raise NotImplementedError(f"no tally triggers for {vendor}")

    # PostgreSQL: one trigger per statement, reading the statement's rows (transition tables),
    # so that a bulk insert of thousands of rows adds to each counter once, and an update that
    # changes no key column writes no counter at all (its rows cancel out).
    EVENTS = {"insert": ("new_rows",), "delete": ("old_rows",), "update": ("old_rows", "new_rows")}

    def _apply_delta(self, tables: tuple[str, ...]) -> str:
        cols = ", ".join(col for col, _ in self.keys)

        def picks(table: str) -> str:
            return ", ".join(f"{self._key(src, table)} AS {col}" for col, src in self.keys)

        parts = " UNION ALL ".join(
            f"SELECT {picks(table)}, {1 if table == 'new_rows' else -1} AS d FROM {table} "
            f"WHERE {self._counts(table)}"
            for table in tables
        )
        # Sorted: concurrent statements lock the counter rows in the same order.
        return (
            f"INSERT INTO {self.table} ({cols}, n) SELECT {cols}, SUM(d) FROM ({parts}) AS delta "
            f"GROUP BY {cols} HAVING SUM(d) <> 0 ORDER BY {cols} "
            f"ON CONFLICT ({cols}) DO UPDATE SET n = {self.table}.n + EXCLUDED.n;"
        )

    def _statement_triggers(self) -> list[str]:
        sql = []
        for event, tables in self.EVENTS.items():
            function = f"{self.name}_{event}"
            referencing = " ".join(
                f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in tables
            )
            sql += [
                f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN {self._apply_delta(tables)} RETURN NULL; END $$""",
                f"""CREATE TRIGGER {function} AFTER {event.upper()} ON {self.source}
                REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
            ]
        return sql

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [f"DROP FUNCTION IF EXISTS {self.name}_{e}() CASCADE" for e in self.EVENTS]
        return [
            f"DROP TRIGGER IF EXISTS {self.name}_{event}"
            for event in ("insert", "delete", "update")
        ]

    def rebuild_sql(self) -> list[str]:
        cols = ", ".join(col for col, _ in self.keys)
        return [
            f"DELETE FROM {self.table}",
            f"INSERT INTO {self.table} ({cols}, n) SELECT {cols}, COUNT(*) FROM (SELECT "
            + ", ".join(f"{self._key(src, self.source)} AS {col}" for col, src in self.keys)
            + f" FROM {self.source} WHERE {self._counts(self.source)}) AS counted GROUP BY {cols}",
        ]


def rebuild(connection, tally: Tally) -> None:
    """Count the tally again from its source (after a ``TRUNCATE`` or a trigger-less load)."""
    with connection.cursor() as cursor:
        for sql in tally.rebuild_sql():
            cursor.execute(sql)


def migration_operations(tally: Tally) -> list:
    """Operations creating the triggers and the first counts (and dropping them backwards)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in [*tally.create_sql(vendor), *tally.rebuild_sql()]:
            schema_editor.execute(sql)

    def backward(apps, schema_editor):
        for sql in tally.drop_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    return [migrations.RunPython(forward, backward, elidable=False)]
