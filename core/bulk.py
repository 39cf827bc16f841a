"""Rows written by the thousand: the import's languages, themes and experience spans (tables of
a few plain columns, no history, nothing computed on save) without a model instance each, and
its volunteers (``insert_instances``), by COPY on PostgreSQL.

``bulk_create`` builds an instance per row and prepares each value through its field: about
15 µs a row for a three-column table, most of the import's time for these tables. Here the
rows are tuples of values the database takes as they are (ids, strings, dates, numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.db.models import Model
from django.utils import timezone


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` into ``model``'s table, each a tuple of the values of ``columns`` (field
    names). On PostgreSQL, one ``COPY``; elsewhere ``executemany``. Every column without a
    default in the database must be among ``columns``: the insert fails otherwise."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg writes each row in C, where an array parameter per column was
            # dumped value by value in Python (the import's four tables: 0.45 → 0.1 s).
            with _copy(cursor, f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


@contextmanager
def _copy(cursor, statement: str):
    """psycopg's ``COPY … FROM STDIN`` on Django's cursor, its errors raised as Django's (a
    unique constraint refusing a row: ``django.db.IntegrityError``, as from ``execute``)."""
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        yield copy


# Field classes (exactly these: a country field is a CharField whose instances hold a Country)
# whose value an instance holds as the database takes it: written as they are. Others (a
# country, a JSON document) go through their field's ``get_db_prep_save``.
_AS_THEY_ARE = {
    models.CharField, models.TextField, models.EmailField, models.BooleanField,
    models.DateField, models.DateTimeField, models.IntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.ForeignKey,
}  # fmt: skip


def insert_instances(model: type[Model], objs: Sequence[Model]) -> None:
    """``bulk_create(objs)`` for new rows of a model with no behaviour on save (the import's
    volunteers), each given its primary key. On PostgreSQL the keys are drawn from the
    table's sequence in one query and the rows written by COPY: ``bulk_create`` prepared
    each of the 5,000 volunteers' twenty values through its field and psycopg dumped one
    array per column in Python, about half of the import's writing. ``auto_now`` and
    ``auto_now_add`` dates are set as ``bulk_create`` sets them; generated columns are the
    database's. Elsewhere, ``bulk_create``."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated and not f.primary_key]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk, len(objs)],
        )
        for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = key
        plain = [type(f) in _AS_THEY_ARE for f in fields]
        names = ", ".join(quote(c) for c in [pk, *(f.column for f in fields)])
        with _copy(cursor, f"COPY {table} ({names}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row(
                    [obj.pk]
                    + [
                        values[f.attname]
                        if as_is
                        else f.get_db_prep_save(values[f.attname], connection)
                        for f, as_is in zip(fields, plain, strict=True)
                    ]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
