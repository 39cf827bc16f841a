"""Trigram indexes for the mission search (``icontains`` on the title, the city and the host
structure's name), PostgreSQL only, as for the volunteer search: Django's ``icontains`` is
``UPPER(column::text) LIKE UPPER(%s)``, and these GIN indexes on the same expressions answer it
without reading every mission. The model state does not change; SQLite is left alone."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "mission_title_trgm": ("missions_mission", "title"),
    "mission_city_trgm": ("missions_mission", "city"),
    "hoststructure_name_trgm": ("agencies_hoststructure", "name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("missions", "0007_nominations_waiting_index"), ("agencies", "0002_theme_moved_here")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
