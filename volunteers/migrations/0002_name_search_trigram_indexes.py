"""Trigram indexes for the volunteer search (``icontains`` on names and e-mail), PostgreSQL only.

Django's ``icontains`` is ``UPPER(column::text) LIKE UPPER(%s)``: these GIN indexes on the same
expressions let PostgreSQL answer it without reading the agency's whole register. The indexes
live in the database only (the model state does not change), so SQLite is left alone.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS volunteer_{column}_trgm ON volunteers_volunteer "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS volunteer_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
