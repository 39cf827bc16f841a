"""The authentication backend: Django's, reading the signed-in user with their memberships
(``access.memberships_of``) in one query on each request, where Django read the user, then the
access rules the memberships.

The query is written from the models' fields once per process: the ORM spent 0.4 ms compiling
this join on every request, more than PostgreSQL took to run it (docs/performance.md)."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from . import rules as access
from .models import Agency, Membership


class _Part:
    """One model's columns in the query's rows, and how to build its instance from them."""

    def __init__(self, model, alias: str):
        self.model, self.alias = model, alias
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        # The ORM's converters: SQLite gives booleans as integers, datetimes without a zone.
        self.converters = [
            (i, convert, col)
            for i, field in enumerate(self.fields)
            for col in [field.get_col(alias)]
            for convert in connection.ops.get_db_converters(col)
            + field.get_db_converters(connection)
        ]

    def sql(self) -> str:
        return ", ".join(f"{self.alias}.{connection.ops.quote_name(f.column)}" for f in self.fields)

    def column(self, name: str) -> str:
        field = self.model._meta.get_field(name)
        return f"{self.alias}.{connection.ops.quote_name(field.column)}"

    def build(self, values):
        values = list(values)
        for i, convert, col in self.converters:
            values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, self.names, values)


@cache
def _query() -> tuple[str, list[_Part]]:
    """The SQL of a user's memberships of active agencies by acronym (``memberships_of``),
    each row with its membership's, its agency's and the user's columns, and those parts."""
    m, a, u = parts = [_Part(Membership, "m"), _Part(Agency, "a"), _Part(get_user_model(), "u")]
    table = {part: connection.ops.quote_name(part.model._meta.db_table) for part in parts}
    sql = (
        f"SELECT {', '.join(part.sql() for part in parts)} "  # noqa: S608 -- the models' names
        f"FROM {table[m]} m JOIN {table[a]} a ON {a.column('id')} = {m.column('agency')} "
        f"JOIN {table[u]} u ON {u.column('id')} = {m.column('user')} "
        f"WHERE {m.column('user')} = %s AND {a.column('is_active')} "
        f"ORDER BY {a.column('acronym')}, {m.column('id')}"
    )
    return sql, parts


class MembershipBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        memberships = self._memberships(user_id)
        if memberships:
            user = memberships[0].user
            if not self.user_can_authenticate(user):
                return None
        else:  # an administrator, or a user of no active agency
            user = super().get_user(user_id)
            if user is None:
                return None
        access.remember_memberships(user, memberships)
        return user

    @staticmethod
    def _memberships(user_id) -> list[Membership]:
        sql, (membership, agency, person) = _query()
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            rows = cursor.fetchall()
        memberships, user = [], None
        a, b = len(membership.fields), len(membership.fields) + len(agency.fields)
        for row in rows:
            user = user or person.build(row[b:])
            instance = membership.build(row[:a])
            instance.agency, instance.user = agency.build(row[a:b]), user
            memberships.append(instance)
        return memberships
