"""Tools of the reach browser tests (issue 22) and of ``make reach`` (docs/reach.md).

- ``ProductionServer``: the live server as deployed: static files collected with hashed names and
  compressed (WhiteNoise's ``CompressedManifestStaticFilesStorage``), served by WhiteNoise with
  ``Cache-Control: immutable`` (no test static handler in front), HTML compressed by
  ``GZipMiddleware``, ``DEBUG`` off.
- ``Traffic``: the bytes and requests a page costs on the wire, read from Chromium's network
  events (Chrome DevTools Protocol), and its network emulation (slow links).
- ``axe_violations``: axe-core (vendored in tests/vendor/axe-core) run on the page.
- ``horizontal_overflow``: how many CSS pixels a page scrolls sideways at a width.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# WCAG 2.1 A and AA; "critical" and "serious" impacts fail the tests.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def collect_static(root: Path) -> None:
    """``collectstatic`` as in production, into ``root``."""
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)


class ProductionServer:
    """A live server whose static files are served as in production. The caller overrides
    ``STATIC_ROOT`` and ``STORAGES`` (``production_settings``) before starting it: WhiteNoise
    reads them when the server's handler is built."""

    def __init__(self):
        # The in-memory SQLite test database is shared with the server's thread.
        self.shared = {
            c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()
        }
        self.thread = LiveServerThread(
            "localhost", static_handler=lambda handler: handler, connections_override=self.shared
        )
        self.thread.daemon = True

    def __enter__(self) -> ProductionServer:
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://localhost:{self.thread.port}"
        return self

    def __exit__(self, *exc) -> None:
        self.thread.terminate()
        for conn in self.shared.values():
            conn.dec_thread_sharing()


def production_settings(settings, static_root: Path) -> None:
    settings.STATIC_ROOT = static_root
    settings.STORAGES = PRODUCTION_STORAGES
    settings.DEBUG = False


@dataclass
class Load:
    """One page load: bytes received (headers included, as on the wire) and requests, with the
    part served from the browser's cache."""

    bytes: int = 0
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    cached_ids: set[str] = field(default_factory=set)

    @property
    def cached(self) -> int:
        return len(self.cached_ids)


class Traffic:
    """Counts what the page of ``page`` receives, through a DevTools session."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.current = Load()
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.requestServedFromCache", self._from_cache)

    def _finished(self, event):
        self.current.bytes += int(event.get("encodedDataLength", 0))

    def _response(self, event):
        self.current.requests += 1
        response = event["response"]
        self.current.statuses[response["url"]] = response["status"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            self.current.cached_ids.add(event["requestId"])

    def _from_cache(self, event):
        self.current.cached_ids.add(event["requestId"])

    def clear_cache(self) -> None:
        self.cdp.send("Network.clearBrowserCache")

    def emulate(self, *, kbit_per_second: int, round_trip_ms: int) -> None:
        bytes_per_second = kbit_per_second * 1000 / 8
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": round_trip_ms,
                "downloadThroughput": bytes_per_second,
                "uploadThroughput": bytes_per_second,
            },
        )

    def load(self, url: str) -> tuple[Load, float]:
        """Opens ``url``; returns what it cost and the seconds until its load event."""
        self.current = Load()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (url, response and response.status)
        timing = self.page.evaluate(
            "() => { const t = performance.getEntriesByType('navigation')[0];"
            " return t.loadEventEnd - t.startTime; }"
        )
        # Events of the last responses may trail the load event by a few milliseconds.
        self.page.wait_for_timeout(50)
        return self.current, timing / 1000


def axe_violations(page) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A/AA on the page (the context has ``AXE_SOURCE`` as an
    init script: Playwright's init scripts are not subject to the page's CSP)."""
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                  resultTypes: ["violations"]});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            count: v.nodes.length,
          }));
        }""",
        AXE_TAGS,
    )


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def horizontal_overflow(page, width: int, height: int = 800) -> int:
    """CSS pixels the page scrolls sideways at ``width`` (0: none)."""
    page.set_viewport_size({"width": width, "height": height})
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "reciprocity")
    page.locator("form#main-form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")
