"""HTML → PDF with WeasyPrint, fetching nothing from the network.

Report templates inline their CSS and draw their charts as inline SVG; the only resources a
report may load are ``data:`` URIs and files under the project's ``static/`` folder. Anything
else (http, https, ftp, other local files) is refused, so a value typed by a user cannot make the
renderer reach a server or read a file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import default_url_fetcher

logger = logging.getLogger(__name__)


class FetchRefused(ValueError):
    pass


def _allowed_roots() -> list[Path]:
    return [Path(d).resolve() for d in settings.STATICFILES_DIRS]


def _allowed_path(url: str) -> Path | None:
    """The file a ``file:`` URL names, if it lies under an allowed folder.

    The URL is decoded first, as the fetcher will decode it: checking the raw text would let
    ``static/%2e%2e/%2e%2e/etc/passwd`` through (no ``..`` to resolve) and then read
    ``/etc/passwd``. The file is then fetched by the URL of the path checked here, never by the
    URL as given, so that what is read is what was checked."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if any(path.is_relative_to(root) for root in _allowed_roots()):
        return path
    return None


def local_url_fetcher(url: str, *args, **kwargs):
    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    path = _allowed_path(url)
    if path is not None:
        return default_url_fetcher(path.as_uri(), *args, **kwargs)
    logger.warning("PDF rendering refused to fetch %s", url)
    raise FetchRefused(f"refused to fetch {url!r}: only local static files are allowed")


def render_pdf(html: str) -> bytes:
    base_url = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=local_url_fetcher).write_pdf()
