"""Accent-insensitive search (``core.search``): the ``unaccent`` extension and ``f_unaccent``,
its IMMUTABLE wrapper (the dictionary named, so the result cannot depend on the search path),
which expression indexes may use. PostgreSQL only; SQLite gets a Python function of the same
name on each connection."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS f_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_outgoing_email_outbox")]

    operations = [TrigramExtension(), UnaccentExtension(), migrations.RunPython(create, drop)]
