"""The volunteers' searched text, stored (``Volunteer.search_text``: names and e-mail in
capitals without accents, a generated column) with one GIN trigram index on it (PostgreSQL),
which replaces the three on ``UPPER(f_unaccent(first_name))``, ``UPPER(f_unaccent(last_name))``
and ``UPPER(email)``: a search no longer unaccents every row it finds to check it."""

import django.db.models.functions.text
from django.db import migrations, models

OLD = {
    "volunteer_first_name_unaccent_trgm": "UPPER(f_unaccent(first_name))",
    "volunteer_last_name_unaccent_trgm": "UPPER(f_unaccent(last_name))",
    "volunteer_email_trgm": "UPPER(email)",
}


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in OLD:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS volunteer_search_text_trgm ON volunteers_volunteer "
        "USING gin (search_text gin_trgm_ops)"
    )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS volunteer_search_text_trgm")
    for name, expression in OLD.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON volunteers_volunteer "
            f"USING gin ({expression} gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0019_volunteer_sort_indexes"),
        ("core", "0005_unaccent_search_function"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    models.Func(
                        django.db.models.functions.text.Concat(
                            models.F("first_name"),
                            models.Value(" "),
                            models.F("last_name"),
                            models.Value(" "),
                            models.F("email"),
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
        migrations.RunPython(index, unindex),
    ]
