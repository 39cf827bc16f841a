"""List pages read as ``values()`` rows rather than model instances: a ModelSerializer walking
100 instances field by field costs several times the time (docs/performance.md). The rows are
shaped by the serializer's own fields (``to_representation`` of each), so the list shows each
object exactly as its detail does (tests/test_api.py checks it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from rest_framework import serializers


def _column(source: str) -> str:
    return source.replace(".", "__")


@cache
def row_plan(serializer_class) -> tuple[list[str], list[tuple[str, Callable[[dict], object]]]]:
    """The ``values()`` columns a serializer's fields read, and how each field is built from a
    row. Fields: model fields, relations' ids, dotted sources and nested serializers of plain
    fields (a nested object is None when its relation is)."""
    columns: list[str] = []
    plan: list[tuple[str, Callable[[dict], object]]] = []
    for name, field in serializer_class().fields.items():
        if isinstance(field, serializers.BaseSerializer):
            link = _column(field.source)
            subs = [(sub, f"{link}__{_column(f.source)}", f) for sub, f in field.fields.items()]
            columns += [link, *(column for _, column, _ in subs)]

            def nested(row, link=link, subs=subs):
                if row[link] is None:
                    return None
                return {sub: _value(f, row[column]) for sub, column, f in subs}

            plan.append((name, nested))
        elif isinstance(field, serializers.SerializerMethodField):
            raise TypeError(f"{serializer_class.__name__}.{name}: not a column")
        else:
            column = _column(field.source)
            columns.append(column)
            if isinstance(field, serializers.RelatedField):
                plan.append((name, lambda row, column=column: row[column]))
            else:
                plan.append((name, lambda row, column=column, f=field: _value(f, row[column])))
    return list(dict.fromkeys(columns)), plan


def _value(field, value):
    return None if value is None else field.to_representation(value)


def rows_of(queryset, serializer_class):
    """``queryset`` as the ``values()`` rows that ``serializer_class`` reads."""
    return queryset.values(*row_plan(serializer_class)[0])


def shape(rows, serializer_class) -> list[dict]:
    """The serializer's output for each ``values()`` row."""
    plan = row_plan(serializer_class)[1]
    return [{name: build(row) for name, build in plan} for row in rows]
