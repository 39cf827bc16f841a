"""Accent-insensitive search (issue 18): the volunteers' names searched whatever their accents: GIN trigram indexes on
``UPPER(f_unaccent(column))``, the expression of ``column__unaccented__icontains``
(``core.search``), which replace the plain ``UPPER(column)`` ones of 0002 (the e-mail keeps its own). PostgreSQL only; the model state does not change."""

from django.db import migrations

NEW = {
    "volunteer_first_name_unaccent_trgm": ("volunteers_volunteer", "first_name"),
    "volunteer_last_name_unaccent_trgm": ("volunteers_volunteer", "last_name"),
}
OLD = {
    "volunteer_first_name_trgm": ("volunteers_volunteer", "first_name"),
    "volunteer_last_name_trgm": ("volunteers_volunteer", "last_name"),
}


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
    dependencies = [("volunteers", "0016_export_csv_separator"), ("core", "0005_unaccent_search_function")]

    operations = [migrations.RunPython(create, drop)]
