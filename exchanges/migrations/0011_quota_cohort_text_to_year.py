"""A quota's cohort becomes a year (an integer), from today's free text.

Each cohort is read as a year: a 4-digit year within the agreement's period is kept ("2017");
a text beginning with such a year keeps it ("2017-B" → 2017); anything else ("foo bar", a year
outside the period such as "1999" on a 2027–2029 agreement) becomes the agreement's start year.
Every change is written to the output of ``migrate``. Two quotas of one agreement and direction
that end up in the same year are merged: the places add up (nothing agreed is lost) and the
missions and placements of the second move to the first. History rows are read the same way
(their agreement's start year; the year of the history row if the agreement is gone).

The column becomes an integer in the next migration: on PostgreSQL a table cannot change type in
the transaction that updated its rows (pending constraint checks).
"""

import re
import sys

from django.db import migrations

YEAR = re.compile(r"^\s*(\d{4})(?!\d)")


def cohort_year(text: str, first: int, last: int) -> tuple[int, bool]:
    """The year of ``text`` and True, or the agreement's first year and False."""
    match = YEAR.match(text or "")
    if match and first <= int(match.group(1)) <= last:
        return int(match.group(1)), True
    return first, False


def _say(line: str) -> None:
    sys.stdout.write(f"  {line}\n")


def quotas_to_years(apps, schema_editor):
    Quota = apps.get_model("exchanges", "Quota")
    Mission = apps.get_model("missions", "Mission")
    Placement = apps.get_model("missions", "Placement")
    kept = {}
    quotas = Quota.objects.select_related("agreement").order_by("agreement_id", "cohort", "pk")
    # Exact years first, so that they keep their row and a named intake merges into them.
    rows = sorted(quotas, key=lambda q: (q.agreement_id, not q.cohort.strip().isdigit(), q.pk))
    for quota in rows:
        agreement = quota.agreement
        year, read = cohort_year(quota.cohort, agreement.start_date.year, agreement.end_date.year)
        if str(year) != quota.cohort:
            why = "read from the text" if read else "the agreement's start year"
            _say(f"quota {quota.pk} of {agreement.reference}: cohort {quota.cohort!r} → {year} ({why})")
        key = (quota.agreement_id, year, quota.sending_id, quota.receiving_id)
        survivor = kept.get(key)
        if survivor is None:
            kept[key] = quota
            if str(year) != quota.cohort:
                quota.cohort = str(year)
                quota.save(update_fields=["cohort"])
            continue
        _say(f"quota {quota.pk} merged into quota {survivor.pk} (cohort {year}, places added up)")
        Mission.objects.filter(quota=quota).update(quota=survivor)
        Placement.objects.filter(quota=quota).update(quota=survivor)
        survivor.places += quota.places
        if quota.approved_places is not None or survivor.approved_places is not None:
            survivor.approved_places = (survivor.approved_places or 0) + (
                quota.approved_places or 0
            )
        survivor.save(update_fields=["places", "approved_places"])
        quota.delete()


def history_to_years(apps, schema_editor):
    HistoricalQuota = apps.get_model("exchanges", "HistoricalQuota")
    Agreement = apps.get_model("exchanges", "Agreement")
    periods = {
        pk: (start.year, end.year)
        for pk, start, end in Agreement.objects.values_list("pk", "start_date", "end_date")
    }
    for row in HistoricalQuota.objects.exclude(cohort__regex=r"^[0-9]{4}$").iterator():
        year = row.history_date.year
        first, last = periods.get(row.agreement_id, (year, year))
        row.cohort = str(cohort_year(row.cohort, first, last)[0])
        row.save(update_fields=["cohort"])


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0010_min_experience_in_days"),
        # Merged quotas take their missions and placements along.
        ("missions", "0009_dates_in_a_plausible_range"),
    ]

    operations = [
        migrations.RunPython(quotas_to_years, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(history_to_years, migrations.RunPython.noop, elidable=False),
    ]
