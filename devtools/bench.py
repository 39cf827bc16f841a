"""The benchmark behind ``make bench`` (see docs/performance.md).

Server time is measured in-process with Django's test client (the whole request: middleware,
view, queries, template), beside the Django admin changelist of the same model and the bare SQL
of the page's main query, so that the ratios say what the page costs over its data. Throughput is
measured with ``wrk`` against gunicorn (2 workers), beside a bare page that renders the base
template without a query: the ceiling of the stack on this machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client


@dataclass
class Case:
    label: str
    url: str
    admin_url: str | Callable[[], str] | None = None  # the admin page of the same model
    member: str = "bench-officer"  # who measures it as an agency member
    # The administrator is refused by rule: 403, or 404 where the page is the acting agency's
    # (the alerts) and an administrator acts for none.
    admin_refused: bool = False
    page: bool = True  # an HTML page for people: the goals apply
    goal_ms: float = 50.0  # as an agency member
    admin_goal_ms: float = 100.0  # as the platform administrator


@dataclass
class Job:
    """Work outside a request (a report), timed in seconds."""

    label: str
    run: Callable[[], object]
    goal_s: float | None = None
    repeat: int = 3


@dataclass
class Timing:
    first: float  # the first request of the run (cold-ish: nothing of this URL cached)
    median: float
    p95: float
    queries: int
    status: int


@dataclass
class Result:
    case: Case
    member: Timing
    admin: Timing
    changelist_median: float | None = None  # the admin page of the same model, as admin

    @property
    def label(self) -> str:
        return self.case.label


def _timings(fn, repeat: int) -> tuple[float, list[float]]:
    """The first call (cold-ish), then ``repeat`` calls."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return first, out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


SLOW_MS = 2000  # a page whose first request takes longer is measured twice more, not ``repeat``


def time_url(client: Client, url: str, repeat: int) -> Timing:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    client.get(url)
    first = (time.perf_counter() - start) * 1000
    _, times = _timings(lambda: client.get(url), repeat if first < SLOW_MS else 1)
    # Counted as they run (the query log is reset by each request and only kept with DEBUG).
    with connection.execute_wrapper(count):
        response = client.get(url)
    return Timing(first, statistics.median(times), p95(times), queries, response.status_code)


def measure(case: Case, *, members: dict[str, Client], admin: Client, repeat: int) -> Result:
    result = Result(
        case=case,
        member=time_url(members[case.member], case.url, repeat),
        admin=time_url(admin, case.url, repeat),
    )
    if case.admin_url:
        admin_url = case.admin_url() if callable(case.admin_url) else case.admin_url
        _, times = _timings(lambda: admin.get(admin_url), max(3, repeat // 2))
        result.changelist_median = statistics.median(times)
    return result


REFUSED = (403, 404)


def verdict(r: Result) -> str:
    """Goals: member median ≤ goal_ms, administrator median ≤ admin_goal_ms, ≤ 10 queries,
    at least twice as fast as the admin page of the same model (for both)."""
    c = r.case
    if r.member.status != 200:
        return f"HTTP {r.member.status}"
    if r.admin.status != 200 and not (c.admin_refused and r.admin.status in REFUSED):
        return f"HTTP {r.admin.status} (admin)"
    if not c.page:
        return "– (not a page)"
    misses = [
        *([f"member > {c.goal_ms:g} ms"] if r.member.median > c.goal_ms else []),
        *([f"admin > {c.admin_goal_ms:g} ms"] if r.admin.median > c.admin_goal_ms else []),
        *(["> 10 queries"] if max(r.member.queries, r.admin.queries) > 10 else []),
        *(
            ["< 2× admin page"]
            if r.changelist_median
            and r.changelist_median < 2 * max(r.member.median, r.admin.median)
            else []
        ),
    ]
    return f"MISSED {', '.join(misses)}" if misses else "ok"


def table(results: list[Result]) -> str:
    """One row a page: as the agency member and as the administrator, the first request, the
    median and p95 of repeated requests and the queries of one; the admin page of the same
    model; the verdict."""
    head = (
        f"| {'page':<42} | member: first | median | p95 | q | admin: first | median | p95 "
        "| q | admin page ms | ×admin page | verdict |\n|" + "---|" * 12
    )
    rows = [head]
    for r in results:
        m, a = r.member, r.admin
        worst = max(m.median, a.median)
        cl = f"{r.changelist_median:.1f}" if r.changelist_median is not None else "–"
        ratio = f"{r.changelist_median / worst:.1f}" if r.changelist_median else "–"
        admin_cells = (
            f"refused ({a.status}) | – | – | –"
            if r.case.admin_refused and a.status in REFUSED
            else f"{a.first:.1f} | {a.median:.1f} | {a.p95:.1f} | {a.queries}"
        )
        rows.append(
            f"| {r.label:<42} | {m.first:.1f} | {m.median:.1f} | {m.p95:.1f} | {m.queries} "
            f"| {admin_cells} | {cl} | {ratio} | {verdict(r)} |"
        )
    return "\n".join(rows)


def measure_jobs(jobs: list[Job]) -> str:
    """Best and worst of ``repeat`` runs of each job, as a table."""
    rows = ["| job | best s | worst s | goal |", "|---|---|---|---|"]
    for job in jobs:
        times = []
        for _ in range(job.repeat):
            start = time.perf_counter()
            job.run()
            times.append(time.perf_counter() - start)
        goal = (
            "–"
            if job.goal_s is None
            else f"{'ok' if min(times) <= job.goal_s else 'MISSED'} < {job.goal_s:g} s"
        )
        rows.append(f"| {job.label} | {min(times):.2f} | {max(times):.2f} | {goal} |")
    return "\n".join(rows)


def evaluation_pdf() -> str:
    """The demo evaluation PDF, rendered by ``bench_report`` in a fresh process (so that its
    peak memory is its own) on a throwaway SQLite database loaded with the demo; then with
    its texts at their longest."""
    base = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        # DEBUG on: load_demo refuses to run without it (demo data is not for production).
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "MEDIA_ROOT": tmp,
            "DEBUG": "1",
        }
        out = []
        for command in (
            ["migrate", "-v0"],
            ["load_demo"],
            ["bench_report"],
            ["bench_report", "--longest"],
        ):
            out.append(subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=base, env=env, check=True, capture_output=True, text=True,
            ).stdout)  # fmt: skip
    return "\n".join(out[-2:]).strip()


# --- Throughput -------------------------------------------------------------------------------
