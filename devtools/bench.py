"""The benchmark behind ``make bench`` (see docs/performance.md).

Server time is measured in-process with Django's test client (the whole request: middleware,
view, queries, template), beside the Django admin changelist of the same model and the bare SQL
of the page's main query, so that the ratios say what the page costs over its data. Throughput is
measured with ``wrk`` against gunicorn (2 workers), beside a bare page that renders the base
template without a query: the ceiling of the stack on this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
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
    url: Callable[[], str]
    admin_url: Callable[[], str] | None = None
    sql: Callable[[], tuple[str, list]] | None = None  # the page's main query, as SQL
    goal_ms: float = 50.0


@dataclass
class Job:
    """Work outside a request (a report), timed in seconds."""

    label: str
    run: Callable[[], object]
    goal_s: float | None = None
    repeat: int = 3


@dataclass
class Result:
    label: str
    median: float
    p95: float
    queries: int
    status: int
    admin_median: float | None = None
    sql_median: float | None = None
    goal_ms: float = 50.0


def _timings(fn, repeat: int) -> list[float]:
    fn()  # warm-up: caches, connections
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def measure(case: Case, *, client: Client, admin: Client, repeat: int) -> Result:
    url = case.url()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    times = _timings(lambda: client.get(url), repeat)
    # Counted as they run (the query log is reset by each request and only kept with DEBUG).
    with connection.execute_wrapper(count):
        response = client.get(url)
    result = Result(
        label=case.label,
        median=statistics.median(times),
        p95=_p95(times),
        queries=queries,
        status=response.status_code,
        goal_ms=case.goal_ms,
    )
    if case.admin_url:
        admin_url = case.admin_url()
        result.admin_median = statistics.median(
            _timings(lambda: admin.get(admin_url), max(3, repeat // 2))
        )
    if case.sql:
        sql, params = case.sql()

        def run_sql():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        result.sql_median = statistics.median(_timings(run_sql, repeat))
    return result


def table(results: list[Result]) -> str:
    """One row a page: the median and p95 of repeated requests, the queries of one request, the
    ratio to the admin changelist and to the bare SQL of the page's main query."""
    head = (
        f"| {'page':<38} | median ms | p95 ms | queries | admin ms | ×admin "
        "| SQL ms | ×SQL | goal |\n|" + "---|" * 9
    )
    rows = [head]
    for r in results:
        admin = f"{r.admin_median:.1f}" if r.admin_median is not None else "–"
        x_admin = f"{r.admin_median / r.median:.1f}" if r.admin_median else "–"
        sql = f"{r.sql_median:.2f}" if r.sql_median is not None else "–"
        x_sql = f"{r.median / r.sql_median:.1f}" if r.sql_median else "–"
        misses = [
            *([f"> {r.goal_ms:g} ms"] if r.median > r.goal_ms else []),
            *(["> 10 queries"] if r.queries > 10 else []),
            *(["< 2× admin"] if r.admin_median and r.admin_median < 2 * r.median else []),
        ]
        ok = f"MISSED {', '.join(misses)}" if misses else f"ok ≤{r.goal_ms:g} ms"
        if r.status != 200:
            ok = f"HTTP {r.status}"
        rows.append(
            f"| {r.label:<38} | {r.median:9.1f} | {r.p95:6.1f} | {r.queries:7d} "
            f"| {admin:>8} | {x_admin:>6} | {sql:>6} | {x_sql:>4} | {ok} |"
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
    peak memory is its own) on a throwaway SQLite database loaded with the demo."""
    base = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        # DEBUG on: load_demo refuses to run without it (demo data is not for production).
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "MEDIA_ROOT": tmp,
            "DEBUG": "1",
        }
        for command in (["migrate", "-v0"], ["load_demo"], ["bench_report"]):
            out = subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=base, env=env, check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
    return out.strip()


# --- Throughput -------------------------------------------------------------------------------

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US=%d\\n", latency:percentile(95)))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def throughput(paths: dict[str, str], *, session_key: str, seconds: int = 10) -> list[dict]:
    """Requests per second and p95 of each path under wrk (8 connections, 2 threads)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    port = _free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the session cookie below is signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }
    base = Path(settings.BASE_DIR)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=base,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "critical"],  # not its SIGTERM at the end
        cwd=base,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    results = []
    try:
        _wait_for(port)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for label, path in paths.items():
            command = [
                "wrk", "-t2", "-c8", "-s", script.name,
                "-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key}",
                f"http://127.0.0.1:{port}{path}",
            ]  # fmt: skip
            # Warm-up, not measured: each worker's first request fills its caches (the home
            # page of the large agency computes its aggregates over millions of rows).
            subprocess.run([*command, "-d2s"], capture_output=True, check=True)
            out = subprocess.run(
                [*command, f"-d{seconds}s"], capture_output=True, text=True, check=True
            ).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            p95 = int(re.search(r"P95_US=(\d+)", out).group(1)) / 1000
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            results.append(
                {
                    "label": label,
                    "rps": rps,
                    "p95": p95,
                    "errors": int(non2xx.group(1)) if non2xx else 0,
                }
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(static_root, ignore_errors=True)
    return results
