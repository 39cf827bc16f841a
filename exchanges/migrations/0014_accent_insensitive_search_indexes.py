"""Accent-insensitive search (issue 18): agreements' titles searched whatever their accents: GIN trigram indexes on
``UPPER(f_unaccent(column))``, the expression of ``column__unaccented__icontains``
(``core.search``). PostgreSQL only; the model state does not change."""

from django.db import migrations

NEW = {"agreement_title_unaccent_trgm": ("exchanges_agreement", "title")}
OLD = {}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in OLD:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (table, column) in NEW.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (UPPER(f_unaccent({column})) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NEW:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (table, column) in OLD.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0013_approval_asked_once_per_version"), ("core", "0005_unaccent_search_function")]

    operations = [migrations.RunPython(create, drop)]
