"""The checklist of every placement confirmed before the checklist existed (new confirmations
get theirs from ``placement_confirm``). Due dates from the mission's start, as for a new one."""

from django.db import migrations

from missions.checklist import ITEMS, due_date

BATCH = 2000


def create(apps, schema_editor):
    Placement = apps.get_model("missions", "Placement")
    ChecklistItem = apps.get_model("missions", "ChecklistItem")
    confirmed = (
        Placement.objects.filter(status="confirmed", checklist_items__isnull=True)
        .values_list("pk", "departure_date", "mission__start_date", "quota__sending_id",
                     "quota__receiving_id")
        .order_by("pk")
    )
    last = 0
    while True:
        rows = list(confirmed.filter(pk__gt=last)[:BATCH])
        if not rows:
            return
        items = []
        for pk, departure, start, sending, receiving in rows:
            agencies = {"sending": sending, "host": receiving}
            items += [
                ChecklistItem(
                    placement_id=pk,
                    kind=rule.kind,
                    side=rule.side,
                    agency_id=agencies[rule.side],
                    required=rule.required,
                    due_date=due_date(rule, departure or start),
                    status="to_do",
                )
                for rule in ITEMS
            ]
        ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("missions", "0011_pre_departure_checklist")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
