import json

from django.db import migrations, models

RULES = ("min_age", "max_age", "min_experience_days")


def approved_rules_from_versions(apps, schema_editor):
    """Each approved agreement binds the rules of its last approved version, read from that
    version's text (its written rules where the text predates one of them)."""
    Agreement = apps.get_model("exchanges", "Agreement")
    approved = Agreement.objects.filter(last_approved_version__isnull=False).select_related(
        "last_approved_version"
    )
    for agreement in approved.iterator(chunk_size=2000):
        written = json.loads(agreement.last_approved_version.canonical).get("rules", {})
        agreement.approved_rules = {
            name: written.get(name, getattr(agreement, name)) for name in RULES
        }
        agreement.save(update_fields=["approved_rules"])


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0019_quota_id_with_agencies"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="approved_rules",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="approved eligibility rules"
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="approved_rules",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="approved eligibility rules"
            ),
        ),
        migrations.RunPython(approved_rules_from_versions, migrations.RunPython.noop),
    ]
