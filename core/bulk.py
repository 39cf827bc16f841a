"""Rows written by the thousand without a model instance each: the import's languages, themes
and experience spans (tables of a few plain columns, no history, nothing computed on save).

``bulk_create`` builds an instance per row and prepares each value through its field: about
15 µs a row for a three-column table, most of the import's time for these tables. Here the
rows are tuples of values the database takes as they are (ids, strings, dates, numbers)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` into ``model``'s table, each a tuple of the values of ``columns`` (field
    names). On PostgreSQL, one ``INSERT … SELECT FROM UNNEST`` of one array per column (what
    ``bulk_create`` itself sends there); elsewhere ``executemany``. Every column without a
    default in the database must be among ``columns``: the insert fails otherwise."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({arrays})",  # noqa: S608
                [list(values) for values in zip(*rows, strict=True)],
            )
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
