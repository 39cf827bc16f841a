"""Slow links (issue 22, point 4), in Chromium against the platform as deployed (static files
hashed, compressed and cached immutably by WhiteNoise, HTML compressed): every page the
volunteer-list officer opens costs at most 100 KB with an empty cache and 20 KB on a repeat
visit, and on an emulated 400 kbit/s link with 400 ms round trips the home page and the
volunteer list load in under 3 seconds each, from an empty cache."""

import pytest

from tests.reach_tools import Traffic, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_LOAD_LIMIT = 100_000
REPEAT_LIMIT = 20_000
SLOW_SECONDS = 3.0


def test_static_files_are_hashed_compressed_and_cached_for_ever(production, chromium):
    page = chromium.new_page()
    try:
        response = page.goto(f"{production.url}/accounts/login/")
        assert response.headers.get("content-encoding") == "gzip"
        css = page.locator("link[rel=stylesheet]").first.get_attribute("href")
        assert css.startswith("/static/vendor/bootstrap/bootstrap.min.") and css != (
            "/static/vendor/bootstrap/bootstrap.min.css"
        )
        static = page.request.get(f"{production.url}{css}", headers={"Accept-Encoding": "gzip"})
        assert "immutable" in static.headers["cache-control"]
        assert static.headers.get("content-encoding") == "gzip"
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert page.request.get(f"{production.url}{icon}").status == 200
    finally:
        page.close()


def test_first_and_repeat_loads_stay_small_and_fast_on_a_slow_link(production, chromium):
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    traffic = Traffic(page)
    try:
        traffic.clear_cache()
        login, _seconds = traffic.load(f"{production.url}/accounts/login/")
        assert login.bytes <= FIRST_LOAD_LIMIT, login
        assert not [u for u, status in login.statuses.items() if status >= 400], login.statuses
        log_in(page, production.url, "anvt-officer")
        traffic.emulate(kbit_per_second=400, round_trip_ms=400)
        for path in ["/", "/volunteers/"]:
            traffic.clear_cache()
            first, seconds = traffic.load(f"{production.url}{path}")
            repeat, _repeat_seconds = traffic.load(f"{production.url}{path}")
            assert first.bytes <= FIRST_LOAD_LIMIT, (path, first)
            assert repeat.bytes <= REPEAT_LIMIT, (path, repeat)
            assert repeat.cached >= 4, (path, repeat)  # the CSS, the scripts, the icon
            assert seconds < SLOW_SECONDS, (path, seconds, first)
            print(
                f"{path}: first {first.bytes} B / {first.requests} requests in {seconds:.2f} s, "
                f"repeat {repeat.bytes} B ({repeat.cached} of {repeat.requests} from cache)"
            )
    finally:
        context.close()
