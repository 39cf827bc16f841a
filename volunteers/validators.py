"""Checks of uploaded files by their content, never by their name or the browser's word."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
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
