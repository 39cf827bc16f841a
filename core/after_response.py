"""Work deferred until the response has been sent, for tasks run in-process.

Without a broker (development) Celery runs a task eagerly, inside ``apply_async``: a PDF asked
for from a page was rendered before the page answered (seconds of WeasyPrint), and the page then
showed the report done under a message saying it was being produced. Work deferred here during a
request runs once its response has been sent: ``request_finished``, which a WSGI server (and
the test client) fires when it closes the response, after writing it. The request then only
records and enqueues, as it does with a broker, and the page polls the row.

Imports nothing of the project: ``core.apps`` imports it so that its receivers are connected
before the first request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

_local = threading.local()  # one request at a time per thread (WSGI)


def defer(function: Callable, *args) -> bool:
    """Call ``function(*args)`` after the current request's response; False (nothing done) if
    no request is being answered in this thread (a command, a worker, a test's direct call)."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        return False
    pending.append((function, args))
    return True


def _start(**kwargs) -> None:
    _local.pending = []


def _finish(**kwargs) -> None:
    pending, _local.pending = getattr(_local, "pending", None) or [], None
    for function, args in pending:
        try:
            function(*args)
        except Exception:  # the response is gone: log, and leave the row to its sweep
            logger.exception("Work deferred after the response failed: %s", function)


def forget() -> None:
    """Drop the request in flight in this thread, and its deferred work: for tests, where a
    streamed response the test client never closed would leave its request open, and the
    next test's tasks deferred to a response that never ends."""
    _local.pending = None


request_started.connect(_start, dispatch_uid="core.after_response.start")
request_finished.connect(_finish, dispatch_uid="core.after_response.finish")
