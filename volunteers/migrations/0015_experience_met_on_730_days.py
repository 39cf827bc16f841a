"""``experience_met_on`` for the VIR rule of 730 days (two years), no longer 720 (issue 17,
point 5): recomputed from the stored spans, as 0004 first filled it."""

from django.db import migrations


def fill(days):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            sql = """
                UPDATE volunteers_volunteer v SET experience_met_on = s.met
                FROM (SELECT v2.id AS volunteer_id, MIN(sp.origin + %s) AS met
                      FROM volunteers_volunteer v2 LEFT JOIN volunteers_experiencespan sp
                        ON sp.volunteer_id = v2.id
                       AND (sp.days_through >= %s OR sp.days_through IS NULL)
                      GROUP BY v2.id) s
                WHERE s.volunteer_id = v.id
                  AND v.experience_met_on IS DISTINCT FROM s.met"""
        else:
            sql = """
                UPDATE volunteers_volunteer SET experience_met_on = (
                    SELECT MIN(date(origin, '+' || %s || ' days'))
                    FROM volunteers_experiencespan s
                    WHERE s.volunteer_id = volunteers_volunteer.id
                      AND (days_through >= %s OR days_through IS NULL))"""
        schema_editor.execute(sql, [days, days])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0014_volunteer_motivation"),
    ]

    operations = [migrations.RunPython(fill(730), fill(720))]
