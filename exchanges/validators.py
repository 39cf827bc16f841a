"""Checks of uploaded files by their content, not by their name or declared type."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

PDF_MAGIC = b"%PDF-"
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024  # a scanned signed agreement fits in 10 MB


def validate_pdf(file) -> None:
    """Refuse anything that is not a PDF (by its first bytes) or is too large."""
    if getattr(file, "_committed", False):
        return  # already stored, hence checked when it was uploaded: do not re-read it
    if file.size is not None and file.size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(MAX_DOCUMENT_SIZE),
            },
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(len(PDF_MAGIC))
    file.seek(position)
    if head != PDF_MAGIC:
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
