"""make bench (devtools.bench): every GET page has a bench case; the verdicts of its table."""

import subprocess

from django.urls import get_resolver

from devtools.bench import Case, Result, Timing, table, verdict
from devtools.bench_pages import NOT_MEASURED, PATHS, POST_ONLY
from tests.test_access_matrix import all_rows, url_pattern_names


def unmeasured(names: set[str]) -> set[str]:
    return names - POST_ONLY - NOT_MEASURED - set(PATHS)


def test_every_get_url_pattern_has_a_bench_case():
    missing = unmeasured(url_pattern_names())
    assert not missing, (
        f"GET URL patterns without a path builder in devtools/bench_pages.PATHS: {sorted(missing)}"
    )


def test_a_new_url_pattern_without_a_bench_case_is_reported():
    names = url_pattern_names(get_resolver("tests.urls_with_extra_view"))
    assert unmeasured(names) == {"extra-view-without-rows"}


def test_the_post_only_list_holds_post_only_patterns():
    """A pattern listed as POST-only answers GET with 405 (or the login redirect) to everyone in
    the access matrix, and is a pattern."""
    get_rows = {
        row.name
        for row in all_rows()
        if row.method == "get" and not set(row.expect.values()) <= {302, 405}
    }
    assert url_pattern_names() >= POST_ONLY
    assert not POST_ONLY & get_rows
    assert not POST_ONLY & set(PATHS)


def _verdict(member=30.0, admin=60.0, queries=7, status=200, changelist=900.0, **case):
    case = Case(label="page", url="/", **case)
    result = Result(
        case=case,
        member=Timing(first=member, median=member, p95=member, queries=queries, status=status),
        admin=Timing(first=admin, median=admin, p95=admin, queries=queries, status=200),
        changelist_median=changelist,
    )
    assert table([result]).splitlines()[-1].rstrip(" |").endswith(verdict(result))
    return verdict(result)


def test_a_page_is_judged_on_its_medians_member_and_admin():
    assert _verdict() == "ok"
    assert _verdict(member=60) == "MISSED member > 50 ms"
    assert _verdict(admin=120) == "MISSED admin > 100 ms"


def test_queries_and_the_admin_ratio_are_judged_too():
    assert _verdict(queries=11) == "MISSED > 10 queries"
    assert _verdict(member=40, admin=40, changelist=70) == "MISSED < 2× admin page"
    assert _verdict(status=404) == "HTTP 404"
    assert _verdict(page=False, member=500) == "– (not a page)"


def test_the_bench_certificate_is_rendered_before_its_pages_are_measured(db, client):
    """On a fresh bench database the certificate is issued while the paths are built: its PDF
    is rendered there, not queued, so that its pages answer 200 from the first run."""
    from types import SimpleNamespace

    from django.urls import reverse

    from devtools.bench_pages import _certificate
    from reports.models import Report
    from tests.factories import MembershipFactory
    from tests.voice_helpers import completed_placement

    placement = completed_placement()
    certificate = _certificate(SimpleNamespace(agency=placement.quota.sending))
    assert Report.objects.get(pk=certificate.report_id).status == Report.Status.DONE
    client.force_login(MembershipFactory(agency=placement.quota.sending, role="partner").user)
    url = reverse("voice:certificate_download", args=[certificate.pk])
    assert client.get(url).status_code == 200


def _wrk_output(rps: float, p95_us: int, non2xx: int = 0) -> str:
    return (
        "Running 10s test @ http://127.0.0.1/\n"
        + (f"  Non-2xx or 3xx responses: {non2xx}\n" if non2xx else "")
        + f"Requests/sec:   {rps}\nTransfer/sec:      1.00MB\nP95_US={p95_us}\n"
    )


def test_throughput_takes_each_pages_median_of_runs_in_turn(monkeypatch):
    """The pages are measured in turn, round after round (a disturbance of the machine falls on
    every page alike), and each page's row is its median run: one slow run does not decide."""
    from devtools import bench_load

    outputs = {  # each page's runs, in the order wrk is called for it
        "/bare": iter([_wrk_output(1, 1), _wrk_output(1100, 8000), _wrk_output(700, 9000),
                       _wrk_output(1090, 7000)]),  # warm-up first
        "/list": iter([_wrk_output(1, 1), _wrk_output(330, 30000, non2xx=2),
                       _wrk_output(350, 28000), _wrk_output(200, 90000)]),
    }  # fmt: skip
    calls = []

    def run(command, **kwargs):
        path = command[-2].removeprefix("http://127.0.0.1:1")
        calls.append((path, command[-1]))
        return subprocess.CompletedProcess(command, 0, stdout=next(outputs[path]))

    monkeypatch.setattr(bench_load.subprocess, "run", run)
    monkeypatch.setattr(bench_load.shutil, "which", lambda name: "/usr/bin/wrk")
    rows = bench_load.throughput(
        1, {"bare": "/bare", "list": "/list"}, session_key="k", seconds=5, rounds=3
    )
    assert [path for path, _ in calls] == ["/bare", "/list"] + ["/bare", "/list"] * 3
    assert [duration for _, duration in calls[2:]] == ["-d5s"] * 6
    assert rows == [
        {"label": "bare", "rps": 1090, "p95": 8.0, "errors": 0, "runs": [1100, 700, 1090]},
        {"label": "list", "rps": 330, "p95": 30.0, "errors": 2, "runs": [330, 350, 200]},
    ]
