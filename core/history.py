"""History rows (django-simple-history) of many new rows, copied by the database."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone


def history_of_created(model, pks: list[int], *, user, reason: str, batch: int = 1000) -> None:
    """Record the creation of these rows of ``model`` in its history, as simple_history's
    ``bulk_history_create`` does (type "+", who, why, when, every tracked field), but with one
    ``INSERT … SELECT`` per batch that copies the rows just written: no Python object per
    history row. For an import of 5,000 volunteers, building and sending them took about a
    quarter of the job."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    tracked = [field.attname for field in history.tracked_fields]
    values = {
        "history_date": timezone.now(),
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason[
            : history._meta.get_field("history_change_reason").max_length
        ],
    }
    extra = {
        name: models.Value(value, output_field=history._meta.get_field(name))
        for name, value in values.items()
    }
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in [*tracked, *extra])
    for i in range(0, len(pks), batch):
        rows = (
            model._base_manager.filter(pk__in=pks[i : i + batch])
            .annotate(**extra)
            .order_by("pk")
            .values_list(*tracked, *extra)
        )
        select, params = rows.query.get_compiler(connection=connection).as_sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}) {select}",
                params,
            )
