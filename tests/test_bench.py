"""The verdicts of make bench's table (devtools.bench): what the goals of issue 9 are judged on."""

from devtools.bench import Result, table


def _verdict(**fields) -> str:
    defaults = dict(label="page", median=30, p95=40, queries=7, status=200, admin_median=900)
    return table([Result(**{**defaults, **fields})]).splitlines()[-1].rsplit("|", 2)[1].strip()


def test_a_page_is_judged_on_its_median():
    assert _verdict() == "ok ≤50 ms"
    assert _verdict(median=60) == "MISSED > 50 ms"
    assert _verdict(median=120, goal_ms=150) == "ok ≤150 ms"


def test_queries_and_the_admin_ratio_are_judged_too():
    assert _verdict(queries=11) == "MISSED > 10 queries"
    assert _verdict(median=40, admin_median=70) == "MISSED < 2× admin"
    assert _verdict(status=404) == "HTTP 404"
