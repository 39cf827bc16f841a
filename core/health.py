"""Checks behind /healthz, each bounded in time.

The endpoint is public (load balancers call it without a login), so a failed check answers only
``{"ok": false}``: the exception's class and message, which tell an attacker which software
stands behind the platform and how it fails, go to the log, never to the caller.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure is the answer here
        logger.warning("healthz: the database check failed", exc_info=True)
        return {"ok": False}
    return {"ok": True}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        return {"ok": True, "mode": "in-process"}
    from kombu import Connection

    conn = Connection(
        url,
        connect_timeout=1,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    )
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        # Redis accepts the TCP connection before answering: ask something to catch a hung peer.
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
    except Exception:  # any failure is the answer here
        logger.warning("healthz: the broker check failed", exc_info=True)
        return {"ok": False}
    finally:
        conn.release()
    return {"ok": True, "mode": "broker"}
