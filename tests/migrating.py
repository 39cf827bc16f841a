"""Migrating the test database backwards and forwards, as ``migrate`` does: on SQLite the
registered triggers are dropped first and created again at the end (``core.triggers``)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.triggers import drop_triggers, ensure_triggers


def migrate_to(targets):
    """Migrate to ``targets`` (triggers dropped); return the apps of that state."""
    drop_triggers()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_the_end() -> None:
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ensure_triggers()
