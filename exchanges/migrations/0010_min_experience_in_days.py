"""The agreement's minimum experience in days (issue 17, point 5): months × 365 / 12, rounded
half up (24 months: 730 days, the VIR rule; 12: 365; 6: 183). Also in the history rows, so that
an old row reads in the unit of today."""

from django.db import migrations, models


def to_days(months: int) -> int:
    return (months * 365 * 2 + 12) // 24


def forwards(apps, schema_editor):
    for name in ("Agreement", "HistoricalAgreement"):
        model = apps.get_model("exchanges", name)
        for months in (
            model.objects.order_by().values_list("min_experience_months", flat=True).distinct()
        ):
            model.objects.filter(min_experience_months=months).update(
                min_experience_days=to_days(months)
            )


def backwards(apps, schema_editor):
    for name in ("Agreement", "HistoricalAgreement"):
        model = apps.get_model("exchanges", name)
        for days in (
            model.objects.order_by().values_list("min_experience_days", flat=True).distinct()
        ):
            model.objects.filter(min_experience_days=days).update(
                min_experience_months=(days * 12 * 2 + 365) // (365 * 2)
            )


FIELD = dict(
    default=730,
    help_text="Days in the union of the volunteering periods; two years: 730.",
    verbose_name="minimum volunteering experience (days)",
)


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0009_dates_in_a_plausible_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="min_experience_days",
            field=models.PositiveSmallIntegerField(**FIELD),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="min_experience_days",
            field=models.PositiveSmallIntegerField(**FIELD),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="agreement", name="min_experience_months"),
        migrations.RemoveField(model_name="historicalagreement", name="min_experience_months"),
    ]
