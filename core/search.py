"""Accent- and case-insensitive search: "eleonore" finds "Éléonore" (names from Togo, Mali,
Burkina Faso, France and Ecuador are typed without their accents all the time).

``field__unaccented__icontains=value`` compares ``UPPER(f_unaccent(field))`` with
``UPPER(f_unaccent(value))`` (the transform is bilateral: the searched words lose their accents
too). On PostgreSQL ``f_unaccent`` is an IMMUTABLE wrapper of the ``unaccent`` extension
(migration ``core.0005``), so that GIN trigram indexes on ``UPPER(f_unaccent(column))`` answer
the search (the volunteers', missions' and exchanges' migrations build them): ``unaccent()``
itself is only STABLE and cannot be indexed. On SQLite the same name is a Python function
registered on each connection (``register_sqlite_function``): Unicode decomposition without the
combining marks, plus the few letters that do not decompose.

In the admin, ``search_fields = ["last_name__unaccented"]`` searches the same way (the admin
appends ``__icontains`` to a transform).

A large table searched often (the volunteers) keeps the searched text itself: ``search_text``
builds a stored column of its fields in capitals without accents, and ``column__matches=word``
compares that column as it is. Its one trigram index answers, and the rows found are checked
again against a plain string: neither the index nor that check unaccents anything per row
(measured in docs/performance.md).
"""

from __future__ import annotations

import unicodedata

from django.db import migrations
from django.db.models import CharField, F, Func, Lookup, Q, TextField, Transform, Value
from django.db.models.functions import Concat, Upper

# Letters that Unicode does not decompose into a base letter and a mark, and the typographic
# apostrophes (PostgreSQL's unaccent rules map them the same way: N’TCHA is found as N'TCHA).
_LETTERS = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d",
     "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "ɖ": "d", "Ɖ": "D", "ɛ": "e", "Ɛ": "E",
     "ɔ": "o", "Ɔ": "O", "ŋ": "n", "Ŋ": "N", "’": "'", "‘": "'"}
)  # fmt: skip


def unaccent(text: str | None) -> str | None:
    """``text`` without accents: "Éléonore" → "Eleonore", "Œuvre" → "OEuvre"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Unaccented(Transform):
    lookup_name = "unaccented"
    function = "F_UNACCENT"
    bilateral = True


CharField.register_lookup(Unaccented)
TextField.register_lookup(Unaccented)


class Matches(Lookup):
    """``search_text__matches=word``: a column built by ``search_text`` contains ``word``,
    whatever the word's accents and case. The word is unaccented once, in SQL (the same
    function as the column's), and escaped: "%" and "_" are letters here.

    An e-mail address is looked up in the trigram index by its part up to the "@": its domain
    is everybody's ("example.org", "gmail.com"), and the index reads the whole list of every
    trigram a pattern names (50 ms for the domain's, against 0.5 ms for the part before it).
    Each row found is then checked against the whole address, by a comparison no index
    answers (``STRPOS``), so that the planner does not read the domain's trigrams anyway."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not isinstance(self.rhs, str):
            raise TypeError("matches compares a column with a string")
        local, at, domain = self.rhs.partition("@")
        indexed = f"{local}@" if at and len(local) >= 3 and domain else self.rhs
        sql = f"{lhs} LIKE ('%%' || UPPER(F_UNACCENT(%s)) || '%%') ESCAPE '\\'"
        params = [*lhs_params, _like_escaped(indexed)]
        if indexed != self.rhs:
            position = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
            sql = f"({sql} AND {position}({lhs}, UPPER(F_UNACCENT(%s))) > 0)"
            params += [*lhs_params, self.rhs]
        return sql, params


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


CharField.register_lookup(Matches)
TextField.register_lookup(Matches)


def search_text(*fields: str) -> Upper:
    """The expression of a stored search column: ``fields`` joined by spaces, in capitals and
    without accents (``Matches`` reads it)."""
    parts = [F(fields[0])]
    for field in fields[1:]:
        parts += [Value(" "), F(field)]
    joined = Concat(*parts, output_field=TextField())
    return Upper(Func(joined, function="F_UNACCENT", output_field=TextField()))


def contains_q(fields: list[str], word: str) -> Q:
    """Any of ``fields`` contains ``word``, whatever the accents and the case."""
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__unaccented__icontains": word})
    return q


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created``: SQLite gets ``F_UNACCENT`` as a Python function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("F_UNACCENT", 1, unaccent, deterministic=True)


def unaccent_index_operations(new: dict, old: dict) -> list:
    """Migration operations (PostgreSQL only; the model state does not change): GIN trigram
    indexes on ``UPPER(f_unaccent(column))`` — the expression of ``column__unaccented__icontains``
    — named ``new`` (name → (table, column)), replacing the plain ``UPPER(column)`` ones ``old``;
    backwards, the reverse."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in old:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        for name, (table, column) in new.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin (UPPER(f_unaccent({column})) gin_trgm_ops)"
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in new:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        for name, (table, column) in old.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin (UPPER({column}) gin_trgm_ops)"
            )

    return [migrations.RunPython(create, drop)]
