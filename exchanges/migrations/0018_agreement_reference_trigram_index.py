"""The agreement search compares ``UPPER(reference)`` (``reference__icontains``): a trigram index
on that expression answers it, and gives PostgreSQL the expression's statistics. Without them
the planner expected one agreement of a search "GEN-00" where a thousand matched, and joined
each to every agency (a member's search 51 -> 32 ms, the administrator's 78 -> 28 ms).
PostgreSQL only; the model state does not change."""

from django.db import migrations

INDEX = "agreement_reference_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON exchanges_agreement "
            "USING gin (UPPER(reference::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0017_quota_sending_cohort_index")]

    operations = [migrations.RunPython(create, drop)]
