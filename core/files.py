"""File names offered to a browser (the ``filename`` of a download's Content-Disposition)."""

from __future__ import annotations

import re

# Path separators, characters that Windows refuses in a file name, and control characters. A
# browser drops a name's folders ("VIR/TG/2017.pdf" saved as "2017.pdf") or replaces them with
# "_"; ``slugify`` drops them altogether ("virtg2017"): both lose the agreement's reference.
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]+')


def download_name(name: str, *, default: str = "download") -> str:
    """``name`` made safe as a file name, and still readable: every run of unsafe characters
    becomes one "-" ("VIR/TG/2017.pdf" → "VIR-TG-2017.pdf"); accents and spaces stay (Django
    sends them encoded as RFC 6266 ``filename*``)."""
    cleaned = _UNSAFE.sub("-", name)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip(" .-")
    return cleaned[:200] or default
