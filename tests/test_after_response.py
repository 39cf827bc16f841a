"""``core.after_response``: work deferred to the end of the request being answered."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from core import after_response

# The two "left open" tests run in this order in one process (pytest-xdist keeps a group together).
pytestmark = pytest.mark.xdist_group("after_response")


@pytest.fixture(autouse=True)
def _signals_without_connection_handling():
    """The request signals without Django's connection handling on them (as the test client
    sends them): closing the test's database connection is not what is tested here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_work_waits_for_the_response_then_runs_once():
    done = []
    assert after_response.defer(done.append, "outside") is False  # no request: the caller runs it
    request_started.send(sender=None)
    assert after_response.defer(done.append, "during") is True
    assert done == []
    request_finished.send(sender=None)
    assert done == ["during"]
    assert after_response.defer(done.append, "after") is False


def test_a_request_left_open_is_forgotten_between_tests_1():
    # A streamed response the test client never read to its end leaves its request open.
    request_started.send(sender=None)


def test_a_request_left_open_is_forgotten_between_tests_2():
    """Runs after the test above (same process, file order; the suite's autouse fixture calls
    ``forget``): a service called directly runs its task now, not after a response that never
    comes."""
    assert after_response.defer(print, "x") is False
