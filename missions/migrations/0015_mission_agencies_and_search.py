"""Missions carry their quota's agencies and their searched text, and the list's order index
holds what the list filters on (``mission_list_covering``): an agency's page, deep page or
search walks that index alone, where it joined every mission it passed to its quota (the
largest agency's last page: 27 → 1.2 ms of SQL).

On PostgreSQL a composite foreign key keeps the copied agencies equal to the quota's (and
follows a change of them), and a GIN trigram index answers a rare term across the platform."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def copy_agencies(apps, schema_editor):
    schema_editor.execute(
        "UPDATE missions_mission SET "
        "sending_id = (SELECT q.sending_id FROM exchanges_quota q WHERE q.id = quota_id), "
        "receiving_id = (SELECT q.receiving_id FROM exchanges_quota q WHERE q.id = quota_id)"
    )
    if schema_editor.connection.vendor == "postgresql":
        # The deferred checks of the update, now: the table is altered next.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def constrain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE missions_mission ADD CONSTRAINT mission_agencies_of_its_quota "
        "FOREIGN KEY (quota_id, sending_id, receiving_id) "
        "REFERENCES exchanges_quota (id, sending_id, receiving_id) "
        "ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS mission_search_text_trgm ON missions_mission "
        "USING gin (search_text gin_trgm_ops)"
    )


def unconstrain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS mission_search_text_trgm")
    schema_editor.execute(
        "ALTER TABLE missions_mission DROP CONSTRAINT IF EXISTS mission_agencies_of_its_quota"
    )


def agency(verbose_name, **kwargs):
    return models.ForeignKey(
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="agencies.agency",
        verbose_name=verbose_name,
        **kwargs,
    )


def historical_agency(verbose_name):
    return models.ForeignKey(
        blank=True,
        db_constraint=False,
        editable=False,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="agencies.agency",
        verbose_name=verbose_name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_alter_downloadrecord_kind"),
        ("core", "0005_unaccent_search_function"),
        ("exchanges", "0019_quota_id_with_agencies"),
        ("missions", "0014_quota_use"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="mission", name="mission_list_order"),
        migrations.AddField(
            model_name="historicalmission",
            name="receiving",
            field=historical_agency("host agency"),
        ),
        migrations.AddField(
            model_name="historicalmission",
            name="sending",
            field=historical_agency("sending agency"),
        ),
        migrations.AddField(
            model_name="mission", name="receiving", field=agency("host agency", null=True)
        ),
        migrations.AddField(
            model_name="mission", name="sending", field=agency("sending agency", null=True)
        ),
        migrations.RunPython(copy_agencies, migrations.RunPython.noop),
        migrations.AlterField(model_name="mission", name="receiving", field=agency("host agency")),
        migrations.AlterField(model_name="mission", name="sending", field=agency("sending agency")),
        migrations.AddField(
            model_name="mission",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    models.Func(
                        django.db.models.functions.text.Concat(
                            models.F("title"),
                            models.Value(" "),
                            models.F("city"),
                            output_field=models.TextField(),
                        ),
                        function="F_UNACCENT",
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
                verbose_name="search text",
            ),
        ),
        migrations.AddIndex(
            model_name="mission",
            index=models.Index(
                fields=["-start_date", "title", "id"],
                include=(
                    "sending",
                    "receiving",
                    "status",
                    "theme",
                    "host_structure",
                    "end_date",
                    "search_text",
                ),
                name="mission_list_covering",
            ),  # fmt: skip
        ),
        migrations.RunPython(constrain, unconstrain),
    ]
