"""The benchmark behind ``make bench`` (see docs/performance.md).

Server time is measured in-process with Django's test client (the whole request: middleware,
view, queries, template), beside the Django admin changelist of the same model and the bare SQL
of the page's main query, so that the ratios say what the page costs over its data. Throughput is
measured with ``wrk`` against gunicorn (2 workers), beside a bare page that renders the base
template without a query: the ceiling of the stack on this machine.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client


@dataclass
class Case:
    label: str
    url: str
    admin_url: str | Callable[[], str] | None = None  # the admin page of the same model
    member: str = "bench-officer"  # who measures it as an agency member
    admin_refused: bool = False  # the administrator is refused by rule (403 expected)
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


def _p95(values: list[float]) -> float:
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
    return Timing(first, statistics.median(times), _p95(times), queries, response.status_code)


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


def verdict(r: Result) -> str:
    """Goals: member median ≤ goal_ms, administrator median ≤ admin_goal_ms, ≤ 10 queries,
    at least twice as fast as the admin page of the same model (for both)."""
    c = r.case
    if r.member.status != 200:
        return f"HTTP {r.member.status}"
    if r.admin.status != 200 and not (c.admin_refused and r.admin.status == 403):
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
            "refused (403) | – | – | –"
            if r.case.admin_refused and a.status == 403
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


@contextlib.contextmanager
def gunicorn(workers: int = 2):
    """A gunicorn (``workers`` sync workers, ``DEBUG`` off) on a free port: yields the port."""
    port = _free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the session cookies are signed with it
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
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "critical"],  # not its SIGTERM at the end
        cwd=base,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(port)
        # The port opens before the workers have loaded Django: wait until both answer.
        deadline = time.monotonic() + 120
        answered = 0
        while answered < 2 * workers and time.monotonic() < deadline:
            try:
                answered += _request(port, "GET", "/healthz", "", timeout=60)[0] == 200
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(static_root, ignore_errors=True)


def throughput(
    port: int, paths: dict[str, str], *, session_key: str, seconds: int = 10
) -> list[dict]:
    """Requests per second and p95 of each path under wrk (8 connections, 2 threads)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    results = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    for label, path in paths.items():
        command = [
            "wrk", "-t2", "-c8", "-s", script.name,
            "-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key}",
            f"http://127.0.0.1:{port}{path}",
        ]  # fmt: skip
        # Warm-up, not measured: each worker's first request loads its code and connections.
        subprocess.run([*command, "-d2s"], capture_output=True, check=True)
        out = subprocess.run(
            [*command, f"-d{seconds}s"], capture_output=True, text=True, check=True
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p95 = int(re.search(r"P95_US=(\d+)", out).group(1)) / 1000
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        )
        results.append(
            {
                "label": label,
                "rps": rps,
                "p95": p95,
                "errors": (int(non2xx.group(1)) if non2xx else 0)
                + (sum(int(g) for g in errors.groups()) if errors else 0),
            }
        )
    os.unlink(script.name)
    return results


# --- Mixed workload -----------------------------------------------------------------------------


@dataclass
class Hit:
    page: str
    start: float
    end: float
    status: int
    seen: int | None = None  # the rename number the page showed (volunteer list)


def _request(port, method, path, cookie, body=None, timeout=30) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def letters(n: int) -> str:
    """``n`` as five lowercase letters (base 26), for a name: ``letters(42) == "aaabq"``."""
    out = ""
    for _ in range(5):
        n, digit = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[digit] + out
    return out


def from_letters(text: str) -> int:
    n = 0
    for char in text:
        n = 26 * n + ord(char) - ord("a")
    return n


def mixed_workload(
    port: int,
    *,
    readers: list[str],
    pages: dict[str, str],
    writer: str,
    write_path: str,
    write_data: Callable[[int], dict],
    marker: str,
    seconds: int = 20,
    write_every: float = 1.0,
) -> dict:
    """Readers (one thread per session key) read ``pages`` in turn as fast as they are served,
    while a writer POSTs ``write_data(n)`` to ``write_path`` every ``write_every`` seconds.

    ``marker`` is a prefix of the renamed volunteer's name followed by the write's number in
    letters (``Benchaaabq``: a name has no digits): each read of the list is checked against
    the writes committed (answered) before the read started. A page showing an older number
    is stale."""
    name = settings.SESSION_COOKIE_NAME
    csrf = "b" * 32  # an unmasked CSRF secret, sent as cookie and as form field
    pattern = re.compile(re.escape(marker) + r"([a-z]{5})")
    stop = time.monotonic() + seconds
    hits: list[Hit] = []
    writes: list[tuple[int, float, float, int]] = []  # (n, start, end, status)
    lock = threading.Lock()

    def read(key: str, offset: int):
        labels = list(pages)
        i = offset
        while time.monotonic() < stop:
            label = labels[i % len(labels)]
            i += 1
            start = time.monotonic()
            try:
                status, body = _request(port, "GET", pages[label], f"{name}={key}")
            except OSError:
                status, body = 0, ""
            found = [from_letters(n) for n in pattern.findall(body)]
            hit = Hit(label, start, time.monotonic(), status, max(found) if found else None)
            with lock:
                hits.append(hit)

    def write():
        n = 0
        while time.monotonic() < stop - write_every / 2:
            n += 1
            start = time.monotonic()
            body = urlencode({**write_data(n), "csrfmiddlewaretoken": csrf}, doseq=True)
            cookie = f"{name}={writer}; {settings.CSRF_COOKIE_NAME}={csrf}"
            try:
                status, _ = _request(port, "POST", write_path, cookie, body)
            except OSError:
                status = 0
            writes.append((n, start, time.monotonic(), status))
            time.sleep(max(0.0, write_every - (time.monotonic() - start)))

    threads = [threading.Thread(target=read, args=(k, i)) for i, k in enumerate(readers)]
    threads.append(threading.Thread(target=write))
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    ok_writes = [w for w in writes if w[3] == 302]
    rows = []
    for label in pages:
        mine = [h for h in hits if h.page == label]
        times = [1000 * (h.end - h.start) for h in mine]
        rows.append(
            {
                "label": label,
                "requests": len(mine),
                "rps": len(mine) / elapsed,
                "median": statistics.median(times) if times else 0,
                "p95": _p95(times) if times else 0,
                "errors": sum(1 for h in mine if h.status != 200),
            }
        )
    # Freshness: a read that started after write n was answered must show n or later.
    checked = stale = 0
    worst_lag = 0
    list_label = next((label for label in pages if "list" in label), None)
    for h in hits:
        if h.page != list_label or h.status != 200:
            continue
        committed = [w[0] for w in ok_writes if w[2] < h.start]
        if not committed:
            continue
        checked += 1
        expected = max(committed)
        if h.seen is None or h.seen < expected:
            stale += 1
            worst_lag = max(worst_lag, expected - (h.seen or 0))
    write_times = [1000 * (w[2] - w[1]) for w in writes]
    return {
        "seconds": elapsed,
        "pages": rows,
        "writes": len(writes),
        "write_errors": len(writes) - len(ok_writes),
        "write_median": statistics.median(write_times) if write_times else 0,
        "write_p95": _p95(write_times) if len(write_times) > 1 else 0,
        "checked": checked,
        "stale": stale,
        "worst_lag": worst_lag,
    }
