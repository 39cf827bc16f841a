"""A quota's cohort is a year: the column becomes an integer (its texts were made years by the
previous migration)."""

import core.dates
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0011_quota_cohort_text_to_year"),
    ]

    operations = [
        migrations.AlterField(
            model_name="quota",
            name="cohort",
            field=models.PositiveSmallIntegerField(
                help_text="The year the cohort's missions start in.",
                validators=[core.dates.validate_year],
                verbose_name="cohort",
            ),
        ),
        migrations.AlterField(
            model_name="historicalquota",
            name="cohort",
            field=models.PositiveSmallIntegerField(
                help_text="The year the cohort's missions start in.",
                validators=[core.dates.validate_year],
                verbose_name="cohort",
            ),
        ),
    ]
