"""A recommendation's owner is a party of the evaluated agreement.

Owners recorded before this rule that are not parties are cleared (the recommendation stays in
its evaluation, without an owner: the authors follow it up and may name a party in a new
version); nobody is given an evaluation they could not see. Then the database refuses any
other owner, whatever writes the row (a trigger: the rule spans three tables, so no CHECK).
"""

from django.db import migrations
from django.db.models import F

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION finding_owner_is_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.owner_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM evaluations_evaluation e
        JOIN exchanges_agreement a ON a.id = e.agreement_id
        WHERE e.id = NEW.evaluation_id AND NEW.owner_id IN (a.party_a_id, a.party_b_id)
    ) THEN
        RAISE EXCEPTION 'finding_owner_is_party: agency % is not a party of the agreement',
            NEW.owner_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$
"""
PG_TRIGGER = """
CREATE TRIGGER finding_owner_is_party BEFORE INSERT OR UPDATE OF owner_id, evaluation_id
ON evaluations_finding FOR EACH ROW EXECUTE FUNCTION finding_owner_is_party()
"""
def clear_owners_not_parties(apps, schema_editor):
    Finding = apps.get_model("evaluations", "Finding")
    (
        Finding.objects.exclude(owner=None)
        .exclude(owner=F("evaluation__agreement__party_a"))
        .exclude(owner=F("evaluation__agreement__party_b"))
        .update(owner=None)
    )


def create_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return  # created after ``migrate`` by core.triggers (evaluations/owner_rule.py)
    if vendor != "postgresql":
        raise NotImplementedError(f"no owner guard for {vendor}")
    for sql in (PG_FUNCTION, PG_TRIGGER):
        schema_editor.execute(sql, None)  # no parameters: the "%" of RAISE is kept


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS finding_owner_is_party() CASCADE")
    else:
        for name in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS finding_owner_is_party_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_dates_in_a_plausible_range"),
        ("exchanges", "0002_agreements"),
    ]

    operations = [
        migrations.RunPython(clear_owners_not_parties, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_guard, drop_guard, elidable=False),
    ]
