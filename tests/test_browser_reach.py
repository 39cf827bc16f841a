"""Every page for every persona (issue 22, points 2 and 3), in one Chromium against the platform
as deployed: axe-core finds no WCAG 2.1 A/AA violation of impact critical or serious, and no
page scrolls sideways at 360 px (a phone) or at 1366 px (a laptop). The pages are those of the
access matrix that each demo persona opens (GET, answered 200 in HTML); each persona has one
logged-in browser context for all its pages.

With ``REACH_REPORT=<path>`` (``make reach``) the run also writes the table of bytes, requests
and axe results per page to that path (docs/reach.md): the manager's pages are loaded once with
an empty cache and once again (repeat visit).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.access import PERSONAS
from tests.reach_tools import (
    AXE_SOURCE,
    Traffic,
    axe_violations,
    failing,
    horizontal_overflow,
    log_in,
)
from tests.test_access_matrix import all_rows
from tests.test_browser_slow_link import FIRST_LOAD_LIMIT, REPEAT_LIMIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1366)
MEASURED = "manager"  # the persona whose pages are weighed for the report


def html_pages(persona: str) -> list[str]:
    """The GET pages of the matrix that ``persona`` opens as HTML (200)."""
    client = Client()
    username = PERSONAS[persona]
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    pages = []
    for row in all_rows():
        if row.method != "get" or row.expect[persona] != 200:
            continue
        path = row.path()
        response = client.get(path)
        # Whole documents only: htmx fragments (a report's status) are parts of their page.
        if (
            response.status_code == 200
            and response["Content-Type"].startswith("text/html")
            and b"<html" in response.content[:300]
        ):
            pages.append(path)
    return sorted(set(pages))


def _walk(browser, base_url: str, persona: str, weigh: bool) -> list[dict]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 800})
    context.add_init_script(AXE_SOURCE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    traffic = Traffic(page)
    results = []
    try:
        if PERSONAS[persona]:
            log_in(page, base_url, PERSONAS[persona])
        for path in html_pages(persona):
            result = {"persona": persona, "path": path}
            page.set_viewport_size({"width": 1366, "height": 800})
            if weigh:
                traffic.clear_cache()
                first, _s = traffic.load(base_url + path)
                result["first"] = first
            repeat, _s = traffic.load(base_url + path)
            result["repeat"] = repeat
            result["violations"] = axe_violations(page)
            result["overflow"] = {width: horizontal_overflow(page, width) for width in WIDTHS}
            results.append(result)
    finally:
        context.close()
    return results


def _report(results: list[dict], path: Path) -> None:
    weighed = [r for r in results if "first" in r]
    lines = [
        "# Reach: weight, accessibility and width of every page",
        "",
        f"Written by `make reach` on {datetime.date.today():%Y-%m-%d} "
        "(tests/test_browser_reach.py with `REACH_REPORT`): the platform as deployed "
        "(DEBUG off, static files hashed and compressed by WhiteNoise, HTML compressed), "
        "Chromium, the demo data. Limits: 100 KB on a first load, 20 KB on a repeat visit; no "
        "axe-core violation (WCAG 2.1 A/AA) of impact critical or serious; no sideways scroll "
        "at 360 and 1366 px.",
        "",
        f"## Weight of the pages (before and after logging in as `{PERSONAS[MEASURED]}`)",
        "",
        "Bytes on the wire, headers included; first load with an empty cache, then a repeat visit.",
        "",
        "| persona | page | first load (KB) | requests | repeat (KB) | requests (from cache) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in weighed:
        first, repeat = r["first"], r["repeat"]
        lines.append(
            f"| {r['persona']} | `{r['path']}` | {first.bytes / 1000:.1f} | {first.requests} | "
            f"{repeat.bytes / 1000:.1f} | {repeat.requests} ({repeat.cached}) |"
        )
    if weighed:
        heaviest = max(weighed, key=lambda r: r["first"].bytes)
        lines += [
            "",
            f"Heaviest first load: `{heaviest['path']}`, {heaviest['first'].bytes / 1000:.1f} KB; "
            f"heaviest repeat: {max(r['repeat'].bytes for r in weighed) / 1000:.1f} KB.",
        ]
    lines += [
        "",
        "## Accessibility and width, every page of every persona",
        "",
        "| persona | page | axe: critical/serious | axe: moderate/minor | "
        "overflow 360 px | overflow 1366 px |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        bad = failing(r["violations"])
        other = [v for v in r["violations"] if v not in bad]
        names = ", ".join(f"{v['id']} ×{v['count']}" for v in bad)
        lines.append(
            f"| {r['persona']} | `{r['path']}` | {len(bad)}{f' ({names})' if names else ''} | "
            f"{len(other)} | {r['overflow'][360]} | {r['overflow'][1366]} |"
        )
    pages = len(results)
    serious = sum(1 for r in results if failing(r["violations"]))
    wide = sum(1 for r in results if any(r["overflow"].values()))
    lines += [
        "",
        f"{pages} pages (persona × page): {serious} with a critical or serious axe violation, "
        f"{wide} scrolling sideways.",
        "",
    ]
    path.write_text("\n".join(lines))


def test_every_page_of_every_persona_is_accessible_and_fits_a_phone(production, chromium):
    report = os.environ.get("REACH_REPORT")
    results = []
    for persona in PERSONAS:
        results += _walk(
            chromium,
            production.url,
            persona,
            weigh=bool(report) and persona in {MEASURED, "anonymous"},
        )
    if report:
        _report(results, Path(report))
    assert len(results) > 150
    violations = [
        (r["persona"], r["path"], v["id"], v["count"], v["nodes"])
        for r in results
        for v in failing(r["violations"])
    ]
    assert violations == []
    overflowing = [
        (r["persona"], r["path"], r["overflow"]) for r in results if any(r["overflow"].values())
    ]
    assert overflowing == []
    heavy = [
        (r["path"], r["first"].bytes, r["repeat"].bytes)
        for r in results
        if "first" in r
        and (r["first"].bytes > FIRST_LOAD_LIMIT or r["repeat"].bytes > REPEAT_LIMIT)
    ]
    assert heavy == []
