"""Checks of uploaded files by their content, never by their name or the browser's word."""

from __future__ import annotations

import io
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_PROOF_BYTES = 5 * 1024 * 1024

# (content type, test on the first bytes)
PROOF_TYPES = [
    ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
]


def sniff(head: bytes) -> str | None:
    """The content type of a proof document from its first bytes, or None."""
    for content_type, test in PROOF_TYPES:
        if test(head):
            return content_type
    return None


def _head(file, size=16) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(position)
    return head


def validate_proof_document(file) -> None:
    if file.size > MAX_PROOF_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s): at most %(max)s."),
            code="too_large",
            params={"size": filesizeformat(file.size), "max": filesizeformat(MAX_PROOF_BYTES)},
        )
    if sniff(_head(file)) is None:
        raise ValidationError(
            _("This file is neither a PDF nor an image (JPEG, PNG, WebP)."), code="bad_type"
        )


MAX_IMPORT_BYTES = 20 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


HEAD_BYTES = 1024
BINARY_BYTES = set(range(0, 9)) | set(range(14, 32)) - {27}


def import_format(head: bytes) -> str | None:
    """``"xlsx"`` for a ZIP (Office Open XML), ``"csv"`` for text, None for anything else.

    ``head`` is the file's first kilobyte or so: text has no control bytes but tab and line ends.
    """
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC) or any(b in BINARY_BYTES for b in head):
        return None
    return "csv"


# --- Spreadsheet archives (XLSX is a ZIP of XML files) ----------------------------------------
# A small ZIP can hold gigabytes of XML (a "zip bomb"): openpyxl would inflate and parse all of
# it, one cell's text as one string. Its table of contents (the central directory, read without
# inflating anything) declares every member's sizes, and ``zipfile`` never inflates a member
# beyond its declared size (a lying size ends in a CRC error), so the declared sizes bound the
# work: they are checked first, then the XML is streamed once, in small pieces, to refuse any run
# of characters long enough to be more than a cell (a text node is held whole by the parser).
# A real 20,000-row sheet of 28 columns is about 30 MB of XML, compressed 15 to 25 times.

MAX_ZIP_MEMBERS = 500
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # declared, inflated
MAX_ARCHIVE_BYTES = 128 * 1024 * 1024  # declared, inflated, all members
MAX_RATIO = 100  # inflated / compressed, for members over RATIO_FROM bytes
RATIO_FROM = 1024 * 1024
# Bytes between two tags: Excel caps a cell at 32,767 characters, 160 kB of XML at worst.
MAX_XML_RUN = 256 * 1024
SCAN_CHUNK = 256 * 1024


def _longest_run(stream, limit: int) -> bool:
    """Whether ``stream`` (bytes) holds more than ``limit`` bytes in a row without a ``<``."""
    run = 0
    while chunk := stream.read(SCAN_CHUNK):
        parts = chunk.split(b"<")
        if len(parts) == 1:
            run += len(chunk)
        else:
            if run + len(parts[0]) > limit or max(map(len, parts[1:-1]), default=0) > limit:
                return True
            run = len(parts[-1])
        if run > limit:
            return True
    return False


def xlsx_archive_refusal(data: bytes) -> str | None:
    """Why this XLSX file may not be opened (a translated sentence), or None if it may."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return gettext("The file is not a readable XLSX workbook.")
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            return gettext("The workbook holds too many parts (%(count)d): at most %(max)d.") % {
                "count": len(members),
                "max": MAX_ZIP_MEMBERS,
            }
        total = 0
        for member in members:
            total += member.file_size
            inflated_too_much = (
                member.file_size > RATIO_FROM
                and member.file_size > MAX_RATIO * max(member.compress_size, 1)
            )
            if (
                member.file_size > MAX_MEMBER_BYTES
                or total > MAX_ARCHIVE_BYTES
                or (inflated_too_much)
            ):
                return gettext(
                    "The workbook unpacks to far more data than a table of volunteers holds: "
                    "it is refused. Save the sheet again as XLSX or CSV."
                )
            if member.flag_bits & 0x1 or member.compress_type not in SUPPORTED_COMPRESSION:
                return gettext("The file is not a readable XLSX workbook.")
        try:
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        if _longest_run(stream, MAX_XML_RUN):
                            return gettext(
                                "The workbook holds a value far longer than a spreadsheet cell "
                                "can: it is refused."
                            )
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
            return gettext("The file is not a readable XLSX workbook.")
    return None


SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
