"""Triggers kept in place on SQLite, the embedded default.

SQLite cannot alter a column in place: a migration that changes a table rebuilds it (a copy, a
drop, a rename), which drops the table's own triggers and fails while another table's trigger
names it. So on SQLite the triggers are not left to the migrations: each one is registered here
(a tally by ``register``, a rule by ``register_sqlite_triggers``), dropped before ``migrate``
and created again after it (``pre_migrate``/``post_migrate``), the tallies counted anew since
rows may have changed meanwhile. PostgreSQL keeps its triggers through every ``ALTER TABLE``:
there the migrations create them once. This module imports no model, so that the app
configuration can connect it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections


@dataclass(frozen=True)
class SqliteTriggers:
    """Triggers named ``names`` on SQLite, made by ``create``, needing ``tables``."""

    names: tuple[str, ...]
    create: tuple[str, ...]
    tables: tuple[str, ...]


TALLIES: list = []
RULES: list[SqliteTriggers] = []


def register(tally):
    """Declare a tally (``core.tallies.Tally``) in the module defining its model."""
    TALLIES.append(tally)
    return tally


def register_sqlite_triggers(*, names, create, tables) -> SqliteTriggers:
    """Declare the SQLite triggers of a rule (the same rule's migration makes PostgreSQL's)."""
    rule = SqliteTriggers(tuple(names), tuple(create), tuple(tables))
    RULES.append(rule)
    return rule


def _sqlite(using):
    connection = connections[using]
    return connection if connection.vendor == "sqlite" else None


def drop_triggers(*, using: str = "default", **kwargs) -> None:
    """Before ``migrate`` on SQLite: no trigger may stand in the way of a table rebuild."""
    connection = _sqlite(using)
    if connection is None:
        return
    with connection.cursor() as cursor:
        for tally in TALLIES:
            for sql in tally.drop_sql("sqlite"):
                cursor.execute(sql)
        for rule in RULES:
            for name in rule.names:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure_triggers(*, using: str = "default", **kwargs) -> None:
    """After ``migrate`` on SQLite: every registered trigger in place, the tallies counted."""
    connection = _sqlite(using)
    if connection is None:
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for tally in TALLIES:
            if not {tally.table, tally.source} <= tables:
                continue  # migrated backwards, or not yet created
            for sql in [*tally.drop_sql("sqlite"), *tally.create_sql("sqlite")]:
                cursor.execute(sql)
            for sql in tally.rebuild_sql():
                cursor.execute(sql)
        for rule in RULES:
            if not set(rule.tables) <= tables:
                continue
            for name in rule.names:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for sql in rule.create:
                cursor.execute(sql)
