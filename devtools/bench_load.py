"""The benchmark's load: gunicorn started for the run, throughput with wrk beside the bare page,
and the mixed workload (readers while a writer saves a volunteer every second)."""

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

from devtools.bench import p95

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
    port: int, paths: dict[str, str], *, session_key: str, seconds: int = 10, rounds: int = 3
) -> list[dict]:
    """Requests per second and p95 of each path under wrk (8 connections, 2 threads): the
    paths in turn, ``rounds`` times, each path's median run. One run each, in a row, let a
    passing disturbance of the machine (another process, the page cache) fall on one page and
    not the others: the volunteer list's share of the bare page read 27 % and 31 % in two runs
    of the same code and data (docs/performance.md)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)

    def command(path: str) -> list[str]:
        return [
            "wrk", "-t2", "-c8", "-s", script.name,
            "-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key}",
            f"http://127.0.0.1:{port}{path}",
        ]  # fmt: skip

    runs: dict[str, list[dict]] = {label: [] for label in paths}
    for path in paths.values():
        # Warm-up, not measured: each worker's first request loads its code and connections.
        subprocess.run([*command(path), "-d2s"], capture_output=True, check=True)
    for _ in range(rounds):
        for label, path in paths.items():
            out = subprocess.run(
                [*command(path), f"-d{seconds}s"], capture_output=True, text=True, check=True
            ).stdout
            runs[label].append(_wrk_result(out))
    os.unlink(script.name)
    return [
        {
            "label": label,
            "rps": statistics.median(run["rps"] for run in measured),
            "p95": statistics.median(run["p95"] for run in measured),
            "errors": sum(run["errors"] for run in measured),
            "runs": [run["rps"] for run in measured],
        }
        for label, measured in runs.items()
    ]


def _wrk_result(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95_us = int(re.search(r"P95_US=(\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "p95": p95_us / 1000,
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(g) for g in errors.groups()) if errors else 0),
    }


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
                "p95": p95(times) if times else 0,
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
        "write_p95": p95(write_times) if len(write_times) > 1 else 0,
        "checked": checked,
        "stale": stale,
        "worst_lag": worst_lag,
    }
