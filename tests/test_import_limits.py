"""A volunteer file cannot take the server's memory or time, nor have itself echoed back
(issue 16, point 9: a 150 KB workbook holding a 150 MB string took a gigabyte, and the error
report printed the whole string).

The bombs are ZIP archives written here by hand, their member compressed once per megabyte and
the block repeated (deflate blocks flushed in full do not refer back), so a gigabyte of XML
costs a second of test setup, not a minute."""

import io
import json
import os
import random
import string
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from agencies.models import Agency
from volunteers.importing import (
    EXCERPT_CHARS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROW_CHARS,
    MAX_SHEET_ROWS,
    ImportFileError,
    language_item,
    read_table,
)
from volunteers.models import Volunteer, VolunteerImport
from volunteers.validators import MAX_XML_RUN, MAX_ZIP_MEMBERS, xlsx_archive_refusal

from .test_volunteer_import import EN, FR, csv_file, good_row, submit, xlsx_file

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
BOMB_MB = 1024  # one cell of a gigabyte, in a file of about one megabyte


# --- Writing ZIP archives by hand ------------------------------------------------------------


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _member(name: str, data: bytes) -> dict:
    return {"name": name, "raw": _deflate(data), "crc": zlib.crc32(data), "size": len(data)}


def _repeated_member(name: str, prefix: bytes, megabytes: int, suffix: bytes) -> dict:
    """``prefix`` + ``megabytes`` MB of "A" + ``suffix``, deflated without holding the text."""
    block = b"A" * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = compressor.compress(suffix) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return {
        "name": name,
        "raw": head + body * megabytes + tail,
        "crc": zlib.crc32(suffix, crc),
        "size": len(prefix) + megabytes * MB + len(suffix),
    }


def _zip(members: list[dict]) -> bytes:
    """A ZIP of deflated members; a member's ``declared`` size (if any) replaces its own."""
    out, directory = io.BytesIO(), io.BytesIO()
    for m in members:
        name, size = m["name"].encode(), m.get("declared", m["size"])
        offset = out.tell()
        fields = (20, 0, 8, 0, 0x21, m["crc"], len(m["raw"]), size, len(name), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + m["raw"])
        directory.write(
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHH", *fields)
            + struct.pack("<HHHII", 0, 0, 0, 0, offset)
            + name
        )
    start, size = out.tell(), directory.tell()
    out.write(directory.getvalue())
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), size, start, 0)
    )
    return out.getvalue()


def _workbook_parts() -> dict[str, bytes]:
    """The parts of a real one-sheet workbook holding a shared string."""
    data = xlsx_file(EN, [good_row(1)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
RELS = "xl/_rels/workbook.xml.rels"


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHARED_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SHARED_REL = (
    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def _bomb(kind: str, megabytes: int = BOMB_MB) -> bytes:
    """A real workbook whose first cell holds ``megabytes`` MB of "A": written in the sheet
    ("inline", as openpyxl writes strings), in the shared strings ("shared", as Excel does), or
    in the sheet with a declared size of 100 kB ("lying": no size looks large)."""
    parts = _workbook_parts()
    members = [_member(name, data) for name, data in parts.items() if name != SHEET]
    if kind in ("inline", "lying"):
        bomb = _repeated_member(
            SHEET,
            b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
            megabytes,
            b"</t></is></c></row></sheetData></worksheet>",
        )
        if kind == "lying":
            bomb["declared"] = 100_000
        members.append(bomb)
        return _zip(members)
    members = [m for m in members if m["name"] not in ("[Content_Types].xml", RELS)]
    members += [
        _member(
            "[Content_Types].xml", parts["[Content_Types].xml"].replace(b"</Types>", SHARED_TYPE)
        ),
        _member(RELS, parts[RELS].replace(b"</Relationships>", SHARED_REL)),
        _member(
            SHEET,
            b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            b"</sheetData></worksheet>",
        ),
        _repeated_member(
            STRINGS,
            b"<sst " + NS + b' uniqueCount="1"><si><t>',
            megabytes,
            b"</t></si></sst>",
        ),
    ]
    return _zip(members)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for kind in ("inline", "shared", "lying"):
        paths[kind] = folder / f"{kind}.xlsx"
        paths[kind].write_bytes(_bomb(kind))
    return paths


@pytest.mark.parametrize("kind", ["inline", "shared"])
def test_the_hand_written_archives_are_real_workbooks(kind):
    """The writer makes what openpyxl reads: a small "bomb" (one megabyte of text) opens and
    shows its cell; the large ones differ only by their number of megabytes."""
    small = _bomb(kind, megabytes=1)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.testzip() is None
    workbook = load_workbook(io.BytesIO(small), read_only=True)
    first = next(workbook.worksheets[0].iter_rows(values_only=True))[0]
    workbook.close()
    assert first == "A" * MB


# --- Bombs: refused before anything is inflated -----------------------------------------------

MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time, tracemalloc
    import django
    django.setup()
    from volunteers.importing import ImportFileError, read_table
    from volunteers.validators import xlsx_archive_refusal
    data = open(sys.argv[1], "rb").read()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    refusal = xlsx_archive_refusal(data)
    try:
        read_table(data, "xlsx")
        message = None
    except ImportFileError as exc:
        message = str(exc)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss
    print(json.dumps({"refusal": refusal, "message": message, "seconds": elapsed,
                      "peak": peak, "rss_kb": grown, "size": len(data)}))
    """
)


@pytest.mark.parametrize("kind", ["inline", "shared", "lying"])
def test_a_one_megabyte_bomb_is_refused_in_little_time_and_memory(bombs, kind):
    """Measured in a process of its own (the peak of Python's allocations and the growth of
    the process's resident memory), so that nothing else of the test run counts. The bounds
    are generous: without the checks the inline bomb takes over a gigabyte."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(bombs[kind])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert 0.5 * MB < result["size"] < 2 * MB  # a gigabyte of text in about a megabyte
    assert result["refusal"] and result["message"] == result["refusal"]
    assert len(result["message"]) < 200  # a sentence, no echo of the file
    assert result["seconds"] < 2
    assert result["peak"] < 100 * MB
    assert result["rss_kb"] * 1024 < 100 * MB


def test_a_bomb_uploaded_is_refused_by_the_form_with_a_short_page(bombs, client, login, demo):
    login("anvt-officer")
    upload = SimpleUploadedFile("volontaires.xlsx", bombs["inline"].read_bytes())
    response = client.post(reverse("volunteers:import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "refusé" in page and "AAAAAAAAAA" not in page
    assert len(page) < 100_000
    assert not VolunteerImport.objects.filter(file_name="volontaires.xlsx").exists()


def test_a_bomb_that_reaches_the_job_fails_it_with_a_short_message(bombs, demo):
    job, _ = submit(Agency.objects.get(acronym="ANVT"), bombs["shared"].read_bytes(), "b.xlsx")
    assert job.status == "failed"
    assert "refusé" in job.message and len(job.message) < 200
    assert job.errors == []


def test_a_workbook_of_many_parts_is_refused():
    members = [_member(f"xl/part{i}.xml", b"<a/>") for i in range(MAX_ZIP_MEMBERS + 1)]
    assert "trop de parties" in xlsx_archive_refusal(_zip(members))


def _workbook_with_first_cell(text: str) -> bytes:
    parts = _workbook_parts()
    members = [_member(name, data) for name, data in parts.items() if name != SHEET]
    sheet = (
        b"<worksheet "
        + NS
        + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        + text.encode()
        + b"</t></is></c></row></sheetData></worksheet>"
    )
    return _zip([*members, _member(SHEET, sheet)])


def test_a_value_longer_than_a_cell_in_the_xml_is_refused_before_opening():
    """Under the archive's caps (it compresses little), a text node longer than any cell would
    still be held whole by the XML parser: the XML is read through first, in small pieces."""
    text = "".join(random.Random(16).choices(string.ascii_letters, k=MAX_XML_RUN))
    data = _workbook_with_first_cell(text)
    assert "bien plus longue qu’une cellule" in xlsx_archive_refusal(data)
    with pytest.raises(ImportFileError, match="refusé"):
        read_table(data, "xlsx")
    # Shorter than the run allowed ("t>" counts): a long cell, whose row only is refused.
    assert xlsx_archive_refusal(_workbook_with_first_cell(text[:-2])) is None


def test_a_real_workbook_of_thousands_of_rows_passes_the_archive_checks():
    data = xlsx_file(EN, [good_row(n) for n in range(5_000)])  # 3.4 MB of XML
    assert xlsx_archive_refusal(data) is None


# --- Cells, rows and columns ------------------------------------------------------------------

LONG = "Z" * 4_000


def _one_long_cell(make):
    rows = [good_row(1), good_row(2)]
    rows[1][0] = LONG  # the first name of the third line
    return make(rows)


@pytest.mark.parametrize(
    "name, make",
    [
        ("volontaires.csv", lambda rows: csv_file(FR, rows)),
        ("volontaires.xlsx", lambda rows: xlsx_file(FR, rows)),
    ],
)
def test_a_long_cell_is_an_error_of_its_row_naming_only_an_excerpt(demo, name, make):
    before = Volunteer.objects.count()
    job, _ = submit(Agency.objects.get(acronym="ANVT"), _one_long_cell(make), name)
    assert job.status == "failed" and Volunteer.objects.count() == before
    [error] = job.errors_shown
    assert error["row"] == 3 and error["column"] == "prénom"
    assert "4000 caractères" in error["message"] and f"{MAX_CELL_CHARS} au plus" in error["message"]
    assert "Z" * EXCERPT_CHARS + "…" in error["message"]
    assert "Z" * (EXCERPT_CHARS + 1) not in error["message"]
    assert len(json.dumps(job.errors)) < 400


def test_an_unknown_value_is_named_by_an_excerpt(demo):
    rows = [good_row(1)]
    rows[0][2] = "Y" * 900  # sex: not a known value, under the cell cap
    job, _ = submit(Agency.objects.get(acronym="ANVT"), csv_file(FR, rows))
    [error] = job.errors_shown
    assert "Y" * EXCERPT_CHARS + "…" in error["message"] and "Y" * 81 not in error["message"]


def test_a_long_header_is_named_by_an_excerpt():
    header, _rows = read_table(csv_file(["H" * 5000, *FR], [["", *good_row(1)]]), "csv")
    assert header[0] == "H" * EXCERPT_CHARS + "…"


def test_a_language_item_of_spaces_is_read_at_once():
    """The language list was read by a regular expression that backtracked for seconds on a
    1,000-character item; the split by hand gives the same answers."""
    assert language_item("fr:native") == ("fr", "native")
    assert language_item("français (natif)") == ("français", "natif")
    assert language_item("ee") == ("ee", "")
    assert language_item("fr (natif) x")[0] == ""
    assert language_item("a" + " " * 998 + "b") == ("a" + " " * 998 + "b", "")


@pytest.mark.parametrize(
    "third_row",
    [
        b"x;" * (MAX_ROW_CHARS // 2 + 10),  # many short values on one line
        b'"' + b"line\n" * (MAX_ROW_CHARS // 4) + b'"',  # one value over many lines
    ],
)
def test_a_csv_row_longer_than_the_cap_refuses_the_file(third_row):
    with pytest.raises(ImportFileError, match="3"):
        read_table(csv_file(FR, [good_row(1)]) + third_row, "csv")


def test_a_csv_of_blank_lines_stops_at_the_row_cap():
    with pytest.raises(ImportFileError, match=str(MAX_SHEET_ROWS)):
        read_table(csv_file(FR, []) + b"\n" * (MAX_SHEET_ROWS + 5), "csv")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_value_beyond_the_last_column_allowed_refuses_the_file(file_format):
    header = [*FR, *[""] * (MAX_COLUMNS - len(FR)), "extra"]
    make = csv_file if file_format == "csv" else xlsx_file
    with pytest.raises(ImportFileError, match=str(MAX_COLUMNS)):
        read_table(make(header, [good_row(1)]), file_format)


def test_a_workbook_whose_last_row_is_far_down_stops_at_the_row_cap():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(FR)
    sheet.cell(row=MAX_SHEET_ROWS + 10, column=1, value="loin")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError, match=str(MAX_SHEET_ROWS)):
        read_table(buffer.getvalue(), "xlsx")
