"""The import template and the export of the volunteer list, as CSV or XLSX.

Every text cell is neutralised against spreadsheet formula injection (OWASP "CSV injection"): a
cell that begins with ``= + - @``, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it (``core.csv``, the platform's one CSV writer,
does it for the CSV; ``neutralise`` here for the XLSX). The import takes the apostrophe off again.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import csv as safe_csv
from core.csv import neutralise

from .columns import COLUMNS, EXPERIENCE_SLOTS, EXPORT_ONLY_COLUMNS, Column
from .eligibility import evaluate
from .exports import CSV_TYPE, XLSX_TYPE  # noqa: F401  (the types of what is written here)
from .models import Experience, LanguageSkill, Volunteer


def headers(columns: list[Column], language: str) -> list[str]:
    return [c.header(language) for c in columns]


def write_csv(
    rows: Iterable[list], out: BinaryIO, *, language: str = "fr", delimiter: str = ""
) -> None:
    """UTF-8 with a byte-order mark and the separator of the language (``;`` in French, what a
    French spreadsheet opens correctly) unless one was chosen (``core.csv.delimiter_for``)."""
    cells = (["" if v is None else _cell_text(v) for v in row] for row in rows)
    safe_csv.write_csv(cells, out, delimiter=safe_csv.delimiter_for(language, delimiter))


def csv_bytes(rows: Iterable[list], *, language: str = "fr", delimiter: str = "") -> bytes:
    buffer = io.BytesIO()
    write_csv(rows, buffer, language=language, delimiter=delimiter)
    return buffer.getvalue()


def _cell_text(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _xlsx_text(value: str) -> str:
    """XlsxWriter writes a carriage return as ``_x000D_``, which openpyxl (the import) reads as
    those seven characters: a line feed, as an XML parser reads a raw one."""
    value = neutralise(value)
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def write_xlsx(rows: Iterable[list], out: BinaryIO, *, help_rows: list[list] | None = None):
    """A workbook written row by row (XlsxWriter's constant memory: each row goes to a temporary
    file as it comes, memory stays flat): twice as fast as openpyxl's write-only workbook, which
    spent 30 of the 40 seconds of an export of 100,000 volunteers (docs/performance.md).

    Every text is written as a text, neutralised first (none starts with "=", none is taken for
    a formula or a link), its line breaks as line feeds (what XML makes of a carriage return);
    dates as dates shown DD/MM/YYYY; yes and no as words."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet(_("Volunteers"))
    text, date, number = sheet.write_string, sheet.write_datetime, sheet.write_number
    for r, row in enumerate(rows):
        if r == 0:
            for c, value in enumerate(row):
                text(r, c, _xlsx_text(str(value)), bold)
            continue
        for c, value in enumerate(row):
            if value is None or value == "":
                continue  # an empty cell
            if type(value) is str:
                text(r, c, _xlsx_text(value))
            elif isinstance(value, bool):
                text(r, c, _cell_text(value))
            elif isinstance(value, datetime.date):
                date(r, c, value, dates)
            elif isinstance(value, (int, float)):
                number(r, c, value)
            else:
                text(r, c, _xlsx_text(str(value)))
    if help_rows:
        notes = workbook.add_worksheet(_("Help"))
        for r, row in enumerate(help_rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    notes.write_string(r, c, _xlsx_text(str(value)))
    workbook.close()


def xlsx_bytes(rows: Iterable[list], *, help_rows: list[list] | None = None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, help_rows=help_rows)
    return buffer.getvalue()


def template_help(language: str) -> list[list[str]]:
    """The second sheet of the XLSX template: what each column accepts."""
    explanations = {
        "first_name": _("Required. Accents, apostrophes and hyphens are welcome."),
        "last_name": _("Required."),
        "sex": _("Required: F (female), M (male) or X (other)."),
        "birth_date": _("Required: 31/12/2000 or 2000-12-31."),
        "nationality": _("Required: country code (TG, ML, FR…) or name."),
        "diaspora": _("yes or no (lives outside the country of nationality)."),
        "email": _("Optional; unique within the agency."),
        "country": _("Country of residence: code or name."),
        "education_level": _("e.g. baccalaureate, bachelor, master."),
        "languages": _(
            "Language and level, separated by commas: fr:native, en:basic (a language without "
            "a level: working knowledge)."
        ),
        "themes": _("Theme codes or names, separated by commas: health, ecology."),
        "status": _("candidate (default), selected, deployed, returned or withdrawn."),
        "experience_1_start": _("Start of a volunteering period: 31/12/2000."),
        "experience_1_end": _("End of the period; empty while ongoing."),
    }
    rows = [[_("Column"), _("What to write")]]
    rows += [[c.header(language), explanations.get(c.key, "")] for c in COLUMNS]
    rows.append(
        [
            "",
            _("Up to %(n)d periods per volunteer (experience_1 … experience_%(n)d).")
            % {"n": EXPERIENCE_SLOTS},
        ]
    )
    return rows


def template_file(file_format: str, language: str) -> bytes:
    header = headers(COLUMNS, language)
    if file_format == "xlsx":
        with translation.override(language):  # the help sheet in the file's language
            help_rows = template_help(language)
        return xlsx_bytes([header], help_rows=help_rows)
    return csv_bytes([header], language=language)


# The volunteer's own columns, read as tuples (no model instances: an export may hold 100,000).
FIELDS = ["pk", "first_name", "last_name", "sex", "birth_date", "nationality", "diaspora",
          "email", "phone", "city", "country", "education_level", "skills", "status", "notes",
          "sending_agency__acronym", "anonymised_at"]  # fmt: skip
SEX_CODES = {"female": "F", "male": "M"}


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _related(ids: list[int]) -> tuple[dict, dict, dict]:
    """Languages, themes and experience periods of these volunteers: three queries."""
    languages, themes, experiences = defaultdict(list), defaultdict(list), defaultdict(list)
    skills = LanguageSkill.objects.filter(volunteer_id__in=ids).order_by("volunteer_id", "language")
    for pk, language, level in skills.values_list("volunteer_id", "language", "level"):
        languages[pk].append(f"{language}:{level}")
    through = Volunteer.themes.through.objects.filter(volunteer_id__in=ids)
    for pk, code in through.order_by("volunteer_id", "theme__name").values_list(
        "volunteer_id", "theme__code"
    ):
        themes[pk].append(code)
    periods = Experience.objects.filter(volunteer_id__in=ids).order_by(
        "volunteer_id", "start", "pk"
    )
    for pk, *period in periods.values_list("volunteer_id", "organisation", "role", "start", "end"):
        experiences[pk].append(period)
    return languages, themes, experiences


def export_rows(
    queryset,
    language: str,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> Iterator[list]:
    """A header, then one row per volunteer of ``queryset``, in its order, streamed: the
    volunteers are read ``batch`` at a time through a database cursor, with three queries per
    batch for their languages, themes and periods. ``progress(n)`` is called every ``every``
    rows. The columns are those of the import template, so an export imports again."""
    yield headers(COLUMNS + EXPORT_ONLY_COLUMNS, language)
    today = timezone.localdate()
    written = 0
    rows = queryset.values_list(*FIELDS).iterator(chunk_size=batch)
    for chunk in _batches(rows, batch):
        languages, themes, experiences = _related([r[0] for r in chunk])
        for pk, first, last, sex, birth, nationality, diaspora, *rest in chunk:
            email, phone, city, country, education, skills, status, notes, acronym, erased = rest
            periods = experiences.get(pk, [])
            # An anonymised volunteer's day and month of birth were erased (the stored ones are
            # a stand-in): the year alone, and no verdict where the erased day decides it.
            result = evaluate(
                birth,
                [(start, end) for _o, _r, start, end in periods],
                today,
                year_only=erased is not None,
            )
            if erased is not None:
                birth = birth.year
            row = [first, last, SEX_CODES.get(sex, "X"), birth, nationality, diaspora, email,
                   phone, city, country or "", education, ", ".join(languages.get(pk, [])),
                   skills, ", ".join(themes.get(pk, [])), status, notes]  # fmt: skip
            for slot in range(EXPERIENCE_SLOTS):
                row += list(periods[slot]) if slot < len(periods) else ["", "", None, None]
            row += [acronym, result.experience_days, result.eligible]
            yield row
            written += 1
            if progress and written % every == 0:
                progress(written)
