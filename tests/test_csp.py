"""Content-Security-Policy: every page carries it, with nothing inline allowed, and no template
needs anything inline (script, event handler, style attribute or element). The browser test
that no page meets a violation: tests/test_browser_csp.py."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

# Inline script (a <script> without src), event handler attribute, style attribute or element.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b", re.IGNORECASE
)


def _page_templates():
    """The templates of pages: those under templates/ and each app's templates/, but not the
    HTML of PDFs (``*_pdf.html``), which WeasyPrint renders and no browser receives."""
    for path in sorted(ROOT.glob("*/templates/**/*.html")) + sorted(
        ROOT.glob("templates/**/*.html")
    ):
        if ".venv" in path.parts or path.name.endswith("_pdf.html"):
            continue
        yield path


def test_no_page_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in _page_templates()
        for match in INLINE.finditer(path.read_text())
    ]
    assert not found, found
    assert len(list(_page_templates())) > 30  # the walk found the templates


def test_the_pattern_catches_what_it_must():
    for snippet in ['<div style="x">', "<script>alert(1)</script>", '<a onclick="x()">', "<style>"]:
        assert INLINE.search(snippet), snippet
    assert not INLINE.search('<script src="/static/x.js" defer></script>')


@pytest.mark.parametrize("path", ["login", "home"])
def test_every_page_carries_the_policy(client, login, demo, path):
    if path == "home":
        login("anvt-officer")
    policy = client.get(reverse(path))["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
