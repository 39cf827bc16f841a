"""The one CSV writer of the platform (quota reports, the volunteer export, measuring files).

Every text cell is neutralised against spreadsheet formula injection (OWASP "CSV injection"): a
text that begins with ``= + - @``, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it (the volunteer import takes the apostrophe off
again). Only texts: a number stays a number, so ``-3`` written as an int is still ``-3``.
``None`` is written as an empty cell.

The separator follows one rule for every CSV of the platform, by language (``delimiter_for``):
French → ``;`` (what a French spreadsheet expects, the comma being its decimal mark), English →
``,``. Forms offer the choice (``DELIMITER_CHOICES``: by the file's language, or either).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO, TextIO

from django.utils import translation
from django.utils.translation import gettext_lazy as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FIRST_CHARACTERS = frozenset(FORMULA_PREFIXES)
BOM = "\ufeff"  # UTF-8 byte-order mark: spreadsheets then read the accents

DELIMITERS = {"fr": ";", "es": ";", "en": ","}
# "" means "by the file's language".
DELIMITER_CHOICES = [
    ("", _("By the language (French and Spanish “;”, English “,”)")),
    (";", _("Semicolon “;”")),
    (",", _("Comma “,”")),
]


def delimiter_for(language: str | None = None, chosen: str | None = "") -> str:
    """The separator of a CSV in ``language`` (the active language when None): ``chosen`` when
    the user chose one of ours, else French and Spanish ``;``
    (their spreadsheets write decimals with a comma), English (and any other) ``,``."""
    if chosen in (";", ","):
        return chosen
    language = (language or translation.get_language() or "fr").split("-")[0]
    return DELIMITERS.get(language, ",")


def neutralise(value):
    """``value`` with a leading apostrophe if it is a text a spreadsheet would run."""
    if isinstance(value, str) and value[:1] in _FIRST_CHARACTERS:
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised (see the module's docstring)."""

    def __init__(self, out: TextIO, *, delimiter: str | None = None, lineterminator: str = "\r\n"):
        delimiter = delimiter or delimiter_for()
        self._writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)

    def writerow(self, row: Iterable) -> None:
        # neutralise(), inlined: the quota report writes 120,000 rows.
        first = _FIRST_CHARACTERS
        self._writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in first else v for v in row]
        )

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(
    out: TextIO, *, delimiter: str | None = None, lineterminator: str = "\r\n"
) -> SafeWriter:
    return SafeWriter(out, delimiter=delimiter, lineterminator=lineterminator)


def write_csv(
    rows: Iterable[Iterable], out: BinaryIO, *, delimiter: str | None = None, bom: bool = True
) -> None:
    """Write ``rows`` to the binary file ``out`` in UTF-8 (with a BOM unless told otherwise);
    ``out`` stays open."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    if bom:
        text.write(BOM)
    writer(text, delimiter=delimiter).writerows(rows)
    text.flush()
    text.detach()  # the caller keeps ``out`` open


def csv_bytes(rows: Iterable[Iterable], *, delimiter: str | None = None, bom: bool = True) -> bytes:
    buffer = io.BytesIO()
    write_csv(rows, buffer, delimiter=delimiter, bom=bom)
    return buffer.getvalue()
