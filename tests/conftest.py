"""Shared fixtures, and the rule that tests needing a service are skipped without it locally but
fail in CI (REQUIRE_SERVICES=1) instead of being skipped."""

import os
import shutil
import socket
import threading
import time

import hypothesis
import pytest
from django.conf import settings

# No deadline on an example: a property test checks what is computed, not how fast (speed is
# measured by make bench); two processes on two busy cores made examples miss the default 200 ms.
hypothesis.settings.register_profile("reciprocity", deadline=None)
hypothesis.settings.load_profile("reciprocity")

# Sync Playwright runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def _postgres_missing():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    return None


def _redis_missing():
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return "needs a Redis broker: set CELERY_BROKER_URL=redis://…"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis broker unreachable at {url}: {exc}"
    return None


def _browser_missing():
    if not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "needs Playwright for Python (pip install playwright)"
    return None


SERVICE_CHECKS = {
    "postgres": _postgres_missing,
    "redis": _redis_missing,
    "browser": _browser_missing,
}
_service_state = {}


def pytest_runtest_setup(item):
    for marker, check in SERVICE_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        if marker not in _service_state:
            _service_state[marker] = check()
        reason = _service_state[marker]
        if reason:
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"REQUIRE_SERVICES=1 and this test {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Live-server request threads may leave an idle PostgreSQL connection behind, which would
    stop the test database from being dropped at the end of the session."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_request_in_flight():
    """Each test starts outside any request (``core.after_response``)."""
    from core import after_response

    after_response.forget()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in French, the default language: a request served in English leaves
    its language active in the thread, which must not leak into the next test."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (sessions, the login rate limit), and with Django's
    content types read afresh: a migration test or a flush gives them new ids, and an admin
    page's log entry written with a remembered one breaks its foreign key at teardown."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The demo creates dozens of users: a slow password hasher would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The demo data, loaded once per run ------------------------------------------------------------
#
# ``load_demo`` takes seconds (dozens of users, hundreds of volunteers, PDFs rendered) and most
# view tests want it. It is loaded and committed once, by ``_committed_demo``; each test's
# transaction then starts from it and is rolled back to it, as any test's is.
#
# Tests that do not ask for the demo expect an empty database, so the tests that ask for it run
# last (``pytest_collection_modifyitems``): first those that roll back, then the transactional
# ones (``live_demo``, ``transaction=True``), whose teardown empties the database (Django flushes
# it); the next one loads the demo again, committed. Whatever the order, a test that finds the
# demo missing loads it itself: slower, never wrong.

DEMO_FIXTURES = {"demo", "live_demo", "matrix_demo", "production"}


@pytest.hookimpl(wrapper=True)  # around pytest-django's order and pytest-xdist's groups
def pytest_collection_modifyitems(items):
    """Before the other plugins: ``make test`` runs the suite in two processes (pytest-xdist,
    each with its own test database); the tests that start a real Celery worker share one Redis
    queue, and the fault tests measure time spent on dead services, so they all run in one
    process, one at a time (marked before pytest-xdist reads the groups).

    After them: pytest-django's order stays (rolled back, transactional, no database), and the
    tests that use the demo go last, in that same order (a stable sort). Sorted before
    pytest-django's, they came back before the transactional tests, and the first of those that
    expects an empty database found the committed demo (an agency ANVT already there)."""
    for item in items:
        if item.get_closest_marker("redis") or item.nodeid.startswith("tests/faults/"):
            item.add_marker(pytest.mark.xdist_group("services"))
    yield
    items.sort(key=lambda item: bool(DEMO_FIXTURES & set(getattr(item, "fixturenames", ()))))


def _demo_present():
    """Whether the demo is in the database: its last rows (see ``load_demo``) are there."""
    from reports.models import Report

    return Report.objects.filter(
        kind=Report.Kind.QUOTA, agreement__reference="VIR-TG-ML-2017"
    ).exists()


class _CommittedDemo:
    """The demo loaded once, its files in ``media_root``. On PostgreSQL, a copy of its rows in
    a schema of their own that Django's flush does not touch: after a transactional test, the
    demo comes back from there in a fraction of the time ``load_demo`` takes."""

    SNAPSHOT = "demo_snapshot"

    def __init__(self, media_root):
        from django.db import connection

        self.media_root = media_root  # the files of the committed demo (reports, documents)
        self.tables = []
        if connection.vendor == "postgresql":
            self._snapshot()

    def _snapshot(self):
        from django.db import connection

        self.tables = []
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.SNAPSHOT} CASCADE")
            cursor.execute(f"CREATE SCHEMA {self.SNAPSHOT}")
            for table in connection.introspection.django_table_names(only_existing=True):
                table = connection.ops.quote_name(table)  # names from Django's own tables
                cursor.execute(f"SELECT EXISTS (SELECT FROM {table})")  # noqa: S608
                if cursor.fetchone()[0]:
                    cursor.execute(f"CREATE TABLE {self.SNAPSHOT}.{table} AS TABLE {table}")
                    # A generated column (the volunteers' search text) is computed, not written.
                    cursor.execute(
                        "SELECT quote_ident(column_name) FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = %s "
                        "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                        [table.strip('"')],
                    )
                    columns = ", ".join(name for (name,) in cursor.fetchall())
                    self.tables.append((table, columns))

    def _restore(self):
        """The snapshot's rows back (replacing those post_migrate recreates after a flush: content
        types, permissions), and the sequences past them."""
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection, transaction

        from core.tallies import rebuild
        from core.triggers import TALLIES

        models = apps.get_models(include_auto_created=True)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Rows come back table by table, in no order: triggers that check other tables
            # (a recommendation's owner against its agreement) stay quiet, as in pg_restore.
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, columns in self.tables:  # DELETE: a few rows, where TRUNCATE takes seconds
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608
                    f"SELECT {columns} FROM {self.SNAPSHOT}.{table}"
                )
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            # The inserts above counted the volunteers and placements again into their tallies
            # (triggers), whose rows were restored too: count them anew.
            for tally in TALLIES:
                rebuild(connection, tally)
            # Within a test's transaction (a test with ``db`` after a transactional one), SET
            # LOCAL would last the whole test: its triggers (tallies, checks) would not fire.
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    def _snapshot_kept(self):
        """Whether the snapshot is still there: a plugin tearing the session's fixtures down
        early (Schemathesis' parametrized tests do) drops it; the demo is then loaded anew."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = %s)", [self.SNAPSHOT]
            )
            return cursor.fetchone()[0]

    def drop(self):
        from django.db import connection

        if self.tables:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.SNAPSHOT} CASCADE")

    def use(self, settings, copy_files=True):
        """Give the test the demo, and a copy of its files in the test's own media folder (or
        the files where they are: ``copy_files=False``, for the many cases that only read them)."""
        from devtools.demo import load_demo

        settings.DEBUG = True
        if not _demo_present() and self.tables and self._snapshot_kept():
            self._restore()  # flushed by a transactional test
        if _demo_present() and not copy_files:
            settings.MEDIA_ROOT = self.media_root
        elif _demo_present():
            shutil.copytree(self.media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)
        else:  # flushed, no snapshot (SQLite): load it, committed only in a transactional test
            load_demo()


@pytest.fixture(scope="session")
def _committed_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Loads and commits the demo once, before any test's transaction begins (a session fixture
    is set up before a test's function fixtures); empties the database again at the end, so that
    a database kept with ``--reuse-db`` starts empty."""
    from django.core.management import call_command
    from django.test import override_settings

    from config import celery_app
    from devtools.demo import load_demo

    media_root = tmp_path_factory.mktemp("demo-media")
    eager = celery_app.conf.task_always_eager
    with django_db_blocker.unblock():
        if _demo_present():  # left by an interrupted run on a kept database
            call_command("flush", interactive=False, verbosity=0)
        # As in a test (see _fast_test_settings); the tasks enqueued on commit run in-process
        # and find their reports already rendered, rather than waiting on a broker.
        celery_app.conf.task_always_eager = True
        try:
            with override_settings(
                DEBUG=True,
                MEDIA_ROOT=media_root,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                load_demo()
        finally:
            celery_app.conf.task_always_eager = eager
        committed = _CommittedDemo(media_root)
    yield committed
    with django_db_blocker.unblock():
        committed.drop()
        if _demo_present():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(_committed_demo, db, settings):
    """The demo data of ``load_demo``."""
    _committed_demo.use(settings)


@pytest.fixture
def login(client):
    """``login("anvt-manager")`` logs the test client in as that (existing) user."""
    from django.contrib.auth import get_user_model

    def _login(username):
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        return user

    return _login


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port  # nothing listens there any more


@pytest.fixture
def hung_port():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def live_demo(_committed_demo, live_server, transactional_db, settings):
    """The live server with the demo data loaded."""
    _committed_demo.use(settings)
    return live_server


@pytest.fixture
def browser_login(browser_page, live_demo):
    """``browser_login("anvt-officer")`` logs the browser in through the login page."""

    def _login(username, password="reciprocity"):
        page = browser_page
        page.goto(f"{live_demo.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form#main-form button[type=submit]").click()
        page.wait_for_url(f"{live_demo.url}/")
        return page

    return _login


@pytest.fixture
def task_on_broker(monkeypatch):
    """``task_on_broker(url, name)``: a task on an app configured exactly like the project's,
    but publishing to ``url`` (a closed port, a hung socket: a broker that is down)."""
    from celery import Celery

    def make(url, name="probe.noop"):
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads this before its config
        app = Celery("probe", set_as_current=False)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.broker_url = url
        app.conf.task_always_eager = False

        def never_runs(*args, **kwargs):
            return None

        task = app.task(name=name)(never_runs)
        # How long each publish took: a fault test bounds the time spent on the dead broker
        # itself, not the whole request (which a busy machine slows for other reasons).
        task.publish_seconds = []
        publish = task.apply_async

        def timed_apply_async(*args, **kwargs):
            started = time.monotonic()
            try:
                return publish(*args, **kwargs)
            finally:
                task.publish_seconds.append(time.monotonic() - started)

        task.apply_async = timed_apply_async
        return task

    return make


@pytest.fixture
def dead_broker_task(task_on_broker, closed_port):
    """``dead_broker_task(name)``: that task with Redis down (a closed port)."""
    return lambda name: task_on_broker(f"redis://127.0.0.1:{closed_port}/0", name)


@pytest.fixture
def tasks_in_process(monkeypatch):
    """Tasks run in-process when enqueued, even when CI sets a real broker (no worker here)."""
    from config import celery_app

    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


# The platform as deployed, in one Chromium (issue 22: tests/test_browser_reach.py,
# tests/test_browser_slow_link.py) -----------------------------------------------------------


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    """The static files collected once, hashed and compressed as in production."""
    from tests.reach_tools import collect_static

    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


@pytest.fixture
def production(_committed_demo, transactional_db, settings, production_static):
    """A live server with the demo data, serving static files as deployed (WhiteNoise)."""
    from tests.reach_tools import ProductionServer, production_settings

    _committed_demo.use(settings)
    production_settings(settings, production_static)
    with ProductionServer() as server:
        yield server


@pytest.fixture
def chromium():
    """One Chromium; the test opens its own contexts (one per persona)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def today_is(monkeypatch):
    """``today_is(day)``: ``django.utils.timezone.localdate()`` answers ``day`` in this process
    (the live server's thread included). A departure, a return or a follow-up is recorded once
    it happened: a flow on the demo's coming missions moves the clock past them."""
    from django.utils import timezone

    real = timezone.localdate

    def _set(day):
        def localdate(value=None, *args, **kwargs):
            return day if value is None else real(value, *args, **kwargs)

        monkeypatch.setattr(timezone, "localdate", localdate)

    return _set
