"""The places taken per quota, counted by the database (``missions.tallies.USED_TALLY``)."""

import django.db.models.deletion
from django.db import migrations, models

from core.tallies import migration_operations
from missions.tallies import USED_TALLY


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0017_quota_sending_cohort_index"),
        ("missions", "0013_accent_insensitive_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="QuotaUse",
            fields=[
                (
                    "quota",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="use",
                        serialize=False,
                        to="exchanges.quota",
                        verbose_name="quota",
                    ),
                ),
                ("n", models.IntegerField(default=0, verbose_name="places taken")),
            ],
            options={
                "verbose_name": "places taken",
                "verbose_name_plural": "places taken",
            },
        ),
        *migration_operations(USED_TALLY),
    ]
