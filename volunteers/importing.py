"""Reading and checking an import file (CSV or XLSX) before anything is written.

``read_table`` turns the bytes into numbered rows; ``check_rows`` validates every row and finds
duplicates, returning what to create and a per-row report (row, column, message). Writing is
``services.volunteer_import_run``'s job, all or nothing.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext_noop
from django_countries import countries
from openpyxl import load_workbook

from agencies.models import Theme
from core.csv import FORMULA_PREFIXES
from core.stored_text import Text, stored, validation_texts

from .columns import COLUMNS, EXPERIENCE_SLOTS, EXPORT_ONLY_COLUMNS, normalise_header
from .duplicates import find_duplicates
from .models import Experience, Language, LanguageSkill, Volunteer
from .validators import MAX_IMPORT_BYTES, xlsx_archive_refusal

MAX_ROWS = 20_000  # non-empty rows
MAX_SHEET_ROWS = 5 * MAX_ROWS  # rows read, empty ones included
MAX_COLUMNS = 100  # the template has 28
MAX_CELL_CHARS = 1_000  # a longer cell is an error of its row, never data
MAX_ROW_CHARS = 100_000  # a CSV row (a longer one refuses the file)
EXCERPT_CHARS = 80  # of a bad value, in a message
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"]
LIST_SEPARATORS = re.compile(r"[,;|\n]")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a table, no header, too many rows); its argument
    is a ``Text`` (or a sentence already translated), ``str()`` gives it translated."""

    def __str__(self) -> str:
        return str(self.args[0])

    @property
    def message(self) -> Text | str:
        return self.args[0]


@dataclass
class Issue:
    """A refusal of one row and column, or a duplicate's reason. Its message is kept with its
    source (``Text``): the report is read in the reader's language, not the uploader's."""

    row: int
    column: str
    message: Text | str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, **stored(self.message)}


@dataclass
class ParsedRow:
    row: int
    volunteer: Volunteer
    theme_ids: list[int] = field(default_factory=list)
    # (language code, level) pairs: checked against the lookups, written as plain rows.
    languages: list[tuple[str, str]] = field(default_factory=list)
    experiences: list[Experience] = field(default_factory=list)


@dataclass
class CheckResult:
    rows: list[ParsedRow]
    errors: list[Issue]
    duplicates: list[Issue]


# --- Reading --------------------------------------------------------------------------------


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """The first characters of a value, to name it in a message without echoing all of it."""
    value = str(value)
    return value if len(value) <= limit else value[:limit].rstrip() + "…"


@dataclass(frozen=True)
class LongCell:
    """A cell too long to be data (a row error): only its length and first characters kept."""

    length: int
    start: str

    def __str__(self):
        return excerpt(self.start)


def _cell(value):
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return LongCell(len(value), value[: EXCERPT_CHARS + 1])
    return value


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        Text(gettext_noop("The file is not readable text: save it as CSV UTF-8."))
    )


class _Lines:
    """The lines of a CSV text for ``csv.reader``, refusing a row longer than ``MAX_ROW_CHARS``
    (a quoted value may run over several lines: the count goes on until the row ends)."""

    def __init__(self, text: str):
        self.lines = io.StringIO(text, newline="")
        self.row_chars = 0
        self.row = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.row_chars += len(line)
        if self.row_chars > MAX_ROW_CHARS:
            raise ImportFileError(
                Text(
                    gettext_noop(
                        "Row %(row)d is longer than %(max)d characters: the file is refused."
                    ),
                    {"row": self.row, "max": MAX_ROW_CHARS},
                )
            )
        return line

    def row_done(self) -> None:
        self.row_chars = 0
        self.row += 1


def _csv_rows(data: bytes) -> Iterator[list]:
    text = _decode(data)
    first_line = text[: MAX_ROW_CHARS + 1].split("\n", 1)[0]
    # French spreadsheets write ";" (the comma is their decimal mark): take the commonest.
    delimiter = max([";", ",", "\t"], key=first_line.count)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a value longer than the csv module takes (128 KiB)
            raise ImportFileError(
                Text(
                    gettext_noop("Row %(row)d cannot be read: the file is refused."),
                    {"row": lines.row},
                )
            ) from exc
        lines.row_done()
        yield values


def _xlsx_rows(data: bytes) -> Iterator[list]:
    refusal = xlsx_archive_refusal(data)
    if refusal:
        raise ImportFileError(refusal)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(
            Text(gettext_noop("The file is not a readable XLSX workbook."))
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        # One column more than allowed: a value there means too many columns.
        yield from sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    finally:
        workbook.close()


def _bounded(rows: Iterable) -> Iterator[list]:
    """The rows with their caps: rows read (empty ones included), columns, cell lengths."""
    for count, values in enumerate(rows, start=1):
        if count > MAX_SHEET_ROWS:
            raise ImportFileError(
                Text(
                    gettext_noop(
                        "The file has more than %(max)d rows, empty ones included: split it."
                    ),
                    {"max": MAX_SHEET_ROWS},
                )
            )
        values = list(values)
        while values and values[-1] is None:  # a workbook's rows come padded to the width read
            values.pop()
        if any(_text_or_long(v) for v in values[MAX_COLUMNS:]):
            raise ImportFileError(
                Text(
                    gettext_noop("Row %(row)d has more than %(max)d columns: the file is refused."),
                    {"row": count, "max": MAX_COLUMNS},
                )
            )
        yield [_cell(v) for v in values[:MAX_COLUMNS]]


def _text_or_long(value) -> bool:
    return isinstance(value, LongCell) or bool(_text(_cell(value)))


def read_table(data: bytes, file_format: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the non-empty rows, each with its row number as a spreadsheet shows it.

    Whatever the file holds, the work is bounded: its size, the rows, columns and characters
    read, and for a workbook the archive's sizes before it is opened (``xlsx_archive_refusal``).
    A cell longer than ``MAX_CELL_CHARS`` is kept as a ``LongCell`` (its row is refused)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            Text(
                gettext_noop("The file is too large: at most %(max)s."),
                {"max": filesizeformat(MAX_IMPORT_BYTES)},
            )
        )
    with closing(_bounded(_xlsx_rows(data) if file_format == "xlsx" else _csv_rows(data))) as rows:
        return _header_and_rows(rows)


def _header_and_rows(rows: Iterator[list]) -> tuple[list[str], list[tuple[int, list]]]:
    first = next(rows, None)
    if not first or not any(_text(v) for v in first):
        raise ImportFileError(
            Text(gettext_noop("The file is empty: the first row must hold the column names."))
        )
    header = [_text(v) for v in first]
    while header and not header[-1]:
        header.pop()
    numbered = []
    for number, values in enumerate(rows, start=2):
        if any(_text(v) for v in values):
            numbered.append((number, values))
            if len(numbered) > MAX_ROWS:
                raise ImportFileError(
                    Text(
                        gettext_noop("The file has more than %(max)d rows: split it."),
                        {"max": MAX_ROWS},
                    )
                )
    return header, numbered


def _text(value) -> str:
    if type(value) is str:  # every cell of a CSV: the checks below are for workbook cells
        return _unquoted(value.strip())
    if value is None:
        return ""
    if isinstance(value, LongCell):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return _unquoted(text.strip())


def _unquoted(text: str) -> str:
    # An export neutralises formulas with a leading apostrophe: take it off again.
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


# --- Values ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=10_000)  # a file repeats its values (sexes, countries, languages)
def _key(value: str) -> str:
    """Loose comparison: no case, accents or punctuation (``Côte d’Ivoire`` = ``cote d'ivoire``)."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _labels(choices: Iterable[tuple[str, object]], extra: dict | None = None) -> dict[str, str]:
    """``{loose label or code: code}`` in every language of the platform."""
    lookup = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in choices:
                lookup[_key(str(label))] = code
    for code, _label in choices:
        lookup[_key(code)] = code
    lookup.update(extra or {})
    return lookup


class Lookups:
    """Label tables built once per import."""

    def __init__(self):
        self.sex = _labels(
            Volunteer.Sex.choices,
            {"f": "female", "femme": "female", "feminin": "female", "woman": "female",
             "m": "male", "h": "male", "homme": "male", "masculin": "male", "man": "male",
             "x": "other", "autre": "other"},
        )  # fmt: skip
        self.education = _labels(Volunteer.Education.choices)
        self.status = _labels(Volunteer.Status.choices)
        self.language = _labels(Language.choices)
        self.level = _labels(
            LanguageSkill.Level.choices,
            {"natif": "native", "native": "native", "courant": "fluent", "c1": "fluent",
             "c2": "fluent", "b1": "working", "b2": "working", "a1": "basic", "a2": "basic",
             "notions": "basic"},
        )  # fmt: skip
        self.country = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, name in countries:
                    self.country[_key(str(name))] = code
        for code, _name in countries:
            self.country[_key(code)] = code
            self.country[_key(countries.alpha3(code) or "")] = code
        self.themes = {}
        for theme in Theme.objects.all():
            for name in (theme.code, theme.name, str(theme.label)):
                self.themes[_key(name)] = theme.pk
            with translation.override("en"):
                self.themes[_key(str(theme.label))] = theme.pk


@functools.lru_cache(maxsize=10_000)  # and its dates (birth dates, starts of periods)
def parse_date(value: str) -> datetime.date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def language_item(item: str) -> tuple[str, str]:
    """``(language, level)`` of "fr:native", "français (natif)" or "ee" (no level: ""); the
    language is "" when the item cannot be read. Split by hand: a regular expression for it
    took seconds on a 1,000-character cell of spaces (backtracking)."""
    cuts = [i for i in (item.find(":"), item.find("(")) if i >= 0]
    if not cuts:
        return item.strip(), ""
    name, level = item[: min(cuts)].strip(), item[min(cuts) + 1 :].strip()
    if level.endswith(")"):
        level = level[:-1].rstrip()
    if ")" in level:
        return "", level
    return name, level


CHECKED_BY_LOOKUP = ["sex", "nationality", "country", "education_level", "status"]
TRUE = {"1", "oui", "yes", "true", "vrai", "x", "o", "y"}
FALSE = {"", "0", "non", "no", "false", "faux", "n"}


# --- Checking rows --------------------------------------------------------------------------


class RowChecker:
    """Turns one row into unsaved model instances, or issues naming row and column."""

    def __init__(self, *, agency, header: list[str], lookups: Lookups):
        self.agency = agency
        self.lookups = lookups
        self.header = header
        self.header_of = {}  # column key -> header as written in the file
        self.position = {}  # column key -> index in the row
        self.file_errors: list[Issue] = []
        by_name = {name: column for column in COLUMNS for name in column.names()}
        ignored = {name for column in EXPORT_ONLY_COLUMNS for name in column.names()}
        for index, title in enumerate(header):
            column = by_name.get(normalise_header(title))
            if column is None:
                if normalise_header(title) not in ignored:
                    self.file_errors.append(
                        Issue(1, excerpt(title), Text(gettext_noop("Unknown column.")))
                    )
                continue
            if column.key in self.position:
                self.file_errors.append(
                    Issue(1, excerpt(title), Text(gettext_noop("This column appears twice.")))
                )
                continue
            self.position[column.key] = index
            self.header_of[column.key] = title
        for column in COLUMNS:
            if column.required and column.key not in self.position:
                required = Text(gettext_noop("This column is required."))
                header = column.header(translation.get_language() or "fr")
                self.file_errors.append(Issue(1, header, required))

    def _texts(self, values: list) -> dict[str, str]:
        """The row's text of each known column (absent columns and cells left out)."""
        return {
            key: _text(values[index]) for key, index in self.position.items() if index < len(values)
        }

    def _too_long(self, number: int, values: list) -> list[Issue]:
        """A cell too long to be data makes its row an error, named by an excerpt only."""
        return [
            Issue(
                number,
                excerpt(self.header[index] if index < len(self.header) else str(index + 1)),
                Text(
                    gettext_noop(
                        "This cell holds %(length)d characters: at most %(max)d. "
                        "It begins “%(start)s”."
                    ),
                    {"length": value.length, "max": MAX_CELL_CHARS, "start": str(value)},
                ),
            )
            for index, value in enumerate(values)
            if isinstance(value, LongCell)
        ]

    def check(self, number: int, values: list) -> tuple[ParsedRow | None, list[Issue]]:
        issues: list[Issue] = self._too_long(number, values)
        if issues:
            return None, issues
        texts = self._texts(values)
        row = lambda key: texts.get(key, "")  # noqa: E731

        def issue(key, message):
            issues.append(Issue(number, self.header_of.get(key, key), message))

        def choice(key, table, *, default="", required=False):
            text = row(key)
            if not text:
                if required:
                    issue(key, Text(gettext_noop("This field cannot be blank.")))
                return default
            code = table.get(_key(text))
            if code is None:
                issue(
                    key,
                    Text(
                        gettext_noop("“%(value)s” is not a known value."), {"value": excerpt(text)}
                    ),
                )
                return default
            return code

        birth_date = None
        if row("birth_date"):
            try:
                birth_date = parse_date(row("birth_date"))
            except ValueError:
                issue("birth_date", Text(gettext_noop("Enter a date such as 31/12/2000.")))
        diaspora_text = _key(row("diaspora"))
        if diaspora_text not in TRUE | FALSE:
            issue("diaspora", Text(gettext_noop("Write yes or no.")))
        volunteer = Volunteer(
            sending_agency=self.agency,
            first_name=row("first_name"),
            last_name=row("last_name"),
            sex=choice("sex", self.lookups.sex, required=True),
            birth_date=birth_date,
            nationality=choice("nationality", self.lookups.country, required=True),
            diaspora=diaspora_text in TRUE,
            email=row("email"),
            phone=row("phone"),
            city=row("city"),
            country=choice("country", self.lookups.country),
            education_level=choice("education_level", self.lookups.education),
            skills=row("skills"),
            status=choice("status", self.lookups.status, default=Volunteer.Status.CANDIDATE),
            notes=row("notes"),
        )
        reported = {i.column for i in issues}
        try:
            # Choices were checked against the lookups above; Django's check of a country
            # translates the 250 country names each time, far too slow for 10,000 rows.
            volunteer.full_clean(
                exclude=["sending_agency", "themes", *CHECKED_BY_LOOKUP],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for key, errors in exc.error_dict.items():
                if self.header_of.get(key, key) not in reported:
                    for message in validation_texts(errors):
                        issue(key, message)
        parsed = ParsedRow(row=number, volunteer=volunteer)
        self._themes(row, issue, parsed)
        self._languages(row, issue, parsed)
        self._experiences(row, issue, parsed)
        return (None if issues else parsed), issues

    def _themes(self, row, issue, parsed):
        for item in filter(None, (s.strip() for s in LIST_SEPARATORS.split(row("themes")))):
            theme_id = self.lookups.themes.get(_key(item))
            if theme_id is None:
                issue(
                    "themes",
                    Text(
                        gettext_noop("“%(value)s” is not a known theme."), {"value": excerpt(item)}
                    ),
                )
            elif theme_id not in parsed.theme_ids:
                parsed.theme_ids.append(theme_id)

    def _languages(self, row, issue, parsed):
        seen = set()
        for item in filter(None, (s.strip() for s in LIST_SEPARATORS.split(row("languages")))):
            name, level_text = language_item(item)
            language = self.lookups.language.get(_key(name))
            level = self.lookups.level.get(_key(level_text)) if level_text else "working"
            if language is None or level is None:
                issue(
                    "languages",
                    Text(
                        gettext_noop(
                            "“%(value)s”: write a language and a level, e.g. “fr:native, en:basic”."
                        ),
                        {"value": excerpt(item)},
                    ),
                )
            elif language not in seen:
                seen.add(language)
                parsed.languages.append((language, level))

    def _experiences(self, row, issue, parsed):
        for slot in range(1, EXPERIENCE_SLOTS + 1):
            keys = [
                f"experience_{slot}_{part}" for part in ("organisation", "role", "start", "end")
            ]
            organisation, role, start_text, end_text = (row(k) for k in keys)
            if not any((organisation, role, start_text, end_text)):
                continue
            dates = []
            for key, text in ((keys[2], start_text), (keys[3], end_text)):
                try:
                    dates.append(parse_date(text) if text else None)
                except ValueError:
                    issue(key, Text(gettext_noop("Enter a date such as 31/12/2000.")))
                    dates.append(None)
            if not start_text:
                issue(keys[2], Text(gettext_noop("This field cannot be blank.")))
            experience = Experience(
                organisation=organisation, role=role, start=dates[0], end=dates[1]
            )
            if dates[0] is None:
                if not organisation:
                    issue(keys[0], Text(gettext_noop("This field cannot be blank.")))
                continue
            try:
                experience.full_clean(exclude=["volunteer", "proof"], validate_constraints=False)
            except ValidationError as exc:
                for name, errors in exc.error_dict.items():
                    for message in validation_texts(errors):
                        issue(f"experience_{slot}_{name}", message)
            parsed.experiences.append(experience)


def check_rows(
    *,
    agency,
    header: list[str],
    rows: list[tuple[int, list]],
    progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> CheckResult:
    checker = RowChecker(agency=agency, header=header, lookups=Lookups())
    if checker.file_errors:
        return CheckResult(rows=[], errors=checker.file_errors, duplicates=[])
    parsed_rows, errors = [], []
    for count, (number, values) in enumerate(rows, start=1):
        parsed, issues = checker.check(number, values)
        errors += issues
        if parsed is not None:
            parsed_rows.append(parsed)
        if progress and count % every == 0:
            progress(count)
    duplicates = []
    if not errors:
        found = find_duplicates(agency, parsed_rows)
        duplicates = [Issue(row, "", message) for row, message in sorted(found.items())]
        parsed_rows = [r for r in parsed_rows if r.row not in found]
    if progress:
        progress(len(rows))
    return CheckResult(rows=parsed_rows, errors=errors, duplicates=duplicates)
