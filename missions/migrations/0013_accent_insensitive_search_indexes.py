"""Accent-insensitive search (issue 18): missions (title, city) and host structures (name, city) searched whatever their accents: GIN trigram indexes on
``UPPER(f_unaccent(column))``, the expression of ``column__unaccented__icontains``
(``core.search``), which replace the plain ``UPPER(column)`` ones of 0008. PostgreSQL only; the model state does not change."""

from django.db import migrations

NEW = {
    "mission_title_unaccent_trgm": ("missions_mission", "title"),
    "mission_city_unaccent_trgm": ("missions_mission", "city"),
    "hoststructure_name_unaccent_trgm": ("agencies_hoststructure", "name"),
    "hoststructure_city_unaccent_trgm": ("agencies_hoststructure", "city"),
}
OLD = {
    "mission_title_trgm": ("missions_mission", "title"),
    "mission_city_trgm": ("missions_mission", "city"),
    "hoststructure_name_trgm": ("agencies_hoststructure", "name"),
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
    dependencies = [("missions", "0012_checklists_for_confirmed_placements"), ("core", "0005_unaccent_search_function")]

    operations = [migrations.RunPython(create, drop)]
