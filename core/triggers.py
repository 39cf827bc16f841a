"""The triggers of the tally tables (``core.tallies``) kept in place on SQLite.

SQLite cannot alter a column in place: a migration that changes a source table rebuilds it, and
its triggers go with it. Every tally is registered here (``register``, by the module defining
its model) and after each ``migrate`` the missing triggers of a registered tally are created
again and its counts rebuilt (``ensure_triggers``, on ``post_migrate``). This module imports no
model, so that the app configuration can connect it.
"""

from __future__ import annotations

from django.db import connections

REGISTRY: list = []


def register(tally):
    """Declare ``tally`` (in the module defining its model) so that ``ensure_triggers`` keeps it."""
    REGISTRY.append(tally)
    return tally


def ensure_triggers(*, using: str = "default", **kwargs) -> None:
    """After ``migrate`` on SQLite: create again the triggers that a table rebuild dropped, and
    count their tally anew (rows may have changed while they were missing)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return  # PostgreSQL keeps a table's triggers through every ALTER TABLE
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for tally in REGISTRY:
            if not {tally.table, tally.source} <= tables:
                continue  # migrated backwards, or not yet created
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{tally.name}_%"],
            )
            if cursor.fetchone()[0] == 3:
                continue
            for sql in [*tally.drop_sql("sqlite"), *tally.create_sql("sqlite")]:
                cursor.execute(sql)
            for sql in tally.rebuild_sql():
                cursor.execute(sql)
