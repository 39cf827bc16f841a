"""Keyset pages: the rows that come after a given row in a list's order, read as an index range
whatever the depth (an ``OFFSET`` reads and drops every row before it, and a count of a million
rows is not free). A position is the sort keys' values of the last row shown, in the link.

``keys`` are a queryset's ``order_by`` fields (``"last_name"``, ``"-start_date"``, ``"pk"``),
each in its own direction, the last one unique (the id), so that the order is total."""

from __future__ import annotations

import base64
import binascii
import datetime
import json

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, Q


def _name(key: str) -> str:
    return key.lstrip("-")


def _value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, int | str) or value is None:
        return value
    return str(value)  # a country, an enum member


def position_of(row: Model, keys: list[str]) -> str:
    """The position just after ``row``: its keys' values, encoded for a URL."""
    values = [_value(getattr(row, _name(key))) for key in keys]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse(position: str, model: type[Model], keys: list[str]) -> list | None:
    """The values of ``position`` for ``keys``, converted by the model's fields; None when it
    is not a position of this order (edited by hand, or from another sort)."""
    try:
        raw = base64.urlsafe_b64decode(position + "=" * (-len(position) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    parsed = []
    for key, value in zip(keys, values, strict=True):
        name = _name(key)
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            parsed.append(field.to_python(value))
        except (FieldDoesNotExist, ValidationError, TypeError, ValueError):
            return None
    return parsed


def after(keys: list[str], values: list) -> Q:
    """Rows after ``values`` in the order of ``keys``: (k1 > v1) or (k1 = v1 and k2 > v2)…,
    with k1 ≥ v1 beside it: the bound an index range starts from (the planner reads no range
    in the alternatives alone, and walked 90 % of a register to find a page at 90 %)."""
    return _beyond(keys, values, forward=True)


def before(keys: list[str], values: list) -> Q:
    """Rows before ``values`` in the order of ``keys``: ``after``'s mirror (a "Previous" page,
    read in the reverse order)."""
    return _beyond(keys, values, forward=False)


def _beyond(keys: list[str], values: list, *, forward: bool) -> Q:
    first = keys[0]
    up = first.startswith("-") != forward  # the first key's values grow in that direction
    bound = Q(**{f"{_name(first)}__{'gte' if up else 'lte'}": values[0]})
    q = Q()
    for i, key in enumerate(keys):
        lookup = "gt" if key.startswith("-") != forward else "lt"
        step = Q(**{f"{_name(key)}__{lookup}": values[i]})
        for previous, value in zip(keys[:i], values[:i], strict=True):
            step &= Q(**{_name(previous): value})
        q |= step
    return bound & q


def up_to(keys: list[str], values: list) -> Q:
    """Rows up to ``values`` in the order of ``keys``, that row included: those ``after`` leaves
    out, with k1 ≤ v1 beside them (where an index range ends)."""
    first = keys[0]
    bound = Q(**{f"{_name(first)}__{'gte' if first.startswith('-') else 'lte'}": values[0]})
    return bound & ~after(keys, values)
