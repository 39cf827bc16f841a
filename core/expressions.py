"""Query expressions the ORM lacks."""

from __future__ import annotations

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


class AnyOf(Expression):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL.

    The array is read once, before the outer rows: an index on ``column`` then finds the
    rows of each of its values, in order, and a ``LIMIT`` stops the scan early. ``IN`` makes
    a hashed semi-join that reads the whole outer table. For a column matched against a few
    thousand values among a large table (the reports of the 3,000 agreements of an agency):
    a capped count of the reports list 7.4 → 3.6 ms (docs/performance.md)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, values: QuerySet):
        super().__init__()
        self.column = F(column)
        self.values = Subquery(values)

    def get_source_expressions(self):
        return [self.column, self.values]

    def set_source_expressions(self, exprs):
        self.column, self.values = exprs

    def as_sql(self, compiler, connection, template="{column} IN {values}"):
        column, column_params = compiler.compile(self.column)
        values, values_params = compiler.compile(self.values)
        return template.format(column=column, values=values), (*column_params, *values_params)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="{column} = ANY(ARRAY{values})")
