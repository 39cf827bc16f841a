"""The import template and the export of the volunteer list, as CSV or XLSX.

Every text cell is neutralised against spreadsheet formula injection (OWASP "CSV injection"): a
cell that begins with ``= + - @``, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it. The import takes the apostrophe off again.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .columns import COLUMNS, EXPERIENCE_SLOTS, EXPORT_ONLY_COLUMNS, Column
from .eligibility import evaluate
from .importing import FORMULA_PREFIXES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def headers(columns: list[Column], language: str) -> list[str]:
    return [c.header(language) for c in columns]


def csv_bytes(rows: Iterable[list]) -> bytes:
    """UTF-8 with a byte-order mark and ``;``: what a French spreadsheet opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else neutralise(_cell_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell_text(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def xlsx_bytes(rows: Iterable[list], *, help_rows: list[list] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Volunteers"))
    for index, row in enumerate(rows):
        cells = []
        for value in row:
            if isinstance(value, bool):
                value = _cell_text(value)
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if index == 0:
                cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
    if help_rows:
        notes = workbook.create_sheet(_("Help"))
        for row in help_rows:
            notes.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
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
        "languages": _("Language and level, separated by commas: fr:native, en:basic."),
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
        return xlsx_bytes([header], help_rows=template_help(language))
    return csv_bytes([header])


def _languages(volunteer) -> str:
    return ", ".join(f"{s.language}:{s.level}" for s in volunteer.languages.all())


def export_rows(volunteers: Iterable, language: str) -> Iterator[list]:
    """A header, then one row per volunteer (``languages``, ``themes`` and ``experiences``
    prefetched). The columns are those of the import template, so an export imports again."""
    yield headers(COLUMNS + EXPORT_ONLY_COLUMNS, language)
    today = timezone.localdate()
    for v in volunteers:
        experiences = sorted(v.experiences.all(), key=lambda e: e.start)
        result = evaluate(v.birth_date, [e.period for e in experiences], today)
        row = [
            v.first_name,
            v.last_name,
            {"female": "F", "male": "M"}.get(v.sex, "X"),
            v.birth_date,
            v.nationality.code,
            v.diaspora,
            v.email,
            v.phone,
            v.city,
            v.country.code or "",
            v.education_level,
            _languages(v),
            v.skills,
            ", ".join(t.code for t in v.themes.all()),
            v.status,
            v.notes,
        ]
        for slot in range(EXPERIENCE_SLOTS):
            e = experiences[slot] if slot < len(experiences) else None
            row += [e.organisation, e.role, e.start, e.end] if e else ["", "", None, None]
        row += [v.sending_agency.acronym, result.experience_days, result.eligible]
        yield row
