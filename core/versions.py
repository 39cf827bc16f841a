"""Data versions, and what is cached under them (see docs/performance.md).

A data version is a counter per kind of data (``VOLUNTEERS``, ``EXCHANGES``), raised once a
transaction that changed such data commits. A value computed from the data is cached under a key
that holds the current versions: the first request after a change misses the cache and
recomputes, in whichever process serves it. Raising the counter after the commit (rather than
within the transaction) keeps writers from queuing on its row, and a reader never caches old
data under a new version.

Saves and deletions are seen through signals (``connect``); the services that write in bulk
(the import, the experience spans) call ``bump`` themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from .models import DataVersion

VOLUNTEERS = "volunteers"  # volunteers, their experiences, languages and themes
EXCHANGES = "exchanges"  # agreements, quotas, approvals, missions, placements, follow-ups
EVALUATIONS = "evaluations"  # evaluations and their findings
REPORTS = "reports"  # generated reports (their status changes in the worker)
ALL = (VOLUNTEERS, EXCHANGES, EVALUATIONS, REPORTS)
CACHE_SECONDS = 600  # also bounds what a change made outside the platform's code can leave


def bump(*names: str) -> None:
    """Raise the versions ``names`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _raise(names), robust=True)


def _raise(names) -> None:
    for name in names:  # one row per statement: concurrent bumps never wait on each other
        if not DataVersion.objects.filter(name=name).update(value=F("value") + 1):
            DataVersion.objects.bulk_create(
                [DataVersion(name=name, value=1)], ignore_conflicts=True
            )


# The versions read for the value being computed: a value cached inside another (the home
# page's aggregates inside the home page) is keyed by the same reading, without a second query.
_reading: ContextVar[dict[str, int] | None] = ContextVar("data_versions", default=None)


def _read() -> dict[str, int]:
    """Every version (a handful of rows: one query), or the reading in progress."""
    values = _reading.get()
    return dict(DataVersion.objects.values_list("name", "value")) if values is None else values


def current(*names: str) -> tuple[int, ...]:
    values = _read()
    return tuple(values.get(name, 0) for name in names)


def cached(key_parts: tuple, versions: tuple[str, ...], compute: Callable[[], object]):
    """``compute()``, cached under ``key_parts``, the versions, the language and today's date
    (values that depend on today, such as eligibility, change at midnight)."""
    values = _read()
    mine = tuple(values.get(name, 0) for name in versions)
    raw = repr((key_parts, mine, get_language(), timezone.localdate()))
    key = "v:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        token = _reading.set(values)
        try:
            value = compute()
        finally:
            _reading.reset(token)
        cache.set(key, value, CACHE_SECONDS)
    return value


def cached_page(key_parts: tuple, versions: tuple[str, ...], render: Callable[[], str]) -> str:
    """A page's rendered content, cached like ``cached`` unless ``settings.PAGE_CACHE`` is off.
    ``key_parts`` must hold all the content depends on: the user's access
    (``rules.access_key``) and the query."""
    if not settings.PAGE_CACHE:
        return render()
    return cached(key_parts, versions, render)


def connect() -> None:
    """Raise the versions on every save and deletion of the data they cover."""
    from agencies.models import Agency
    from evaluations.models import Evaluation, Finding
    from exchanges.models import Agreement, AgreementVersion, Approval, Quota, Theme
    from missions.models import FollowUp, Mission, Placement
    from reports.models import Report
    from volunteers.models import Experience, LanguageSkill, Volunteer

    covered = {
        Volunteer: (VOLUNTEERS,),
        Experience: (VOLUNTEERS,),
        LanguageSkill: (VOLUNTEERS,),
        Theme: (VOLUNTEERS, EXCHANGES),
        Agency: (VOLUNTEERS, EXCHANGES),  # its acronym is shown in lists
        Agreement: (EXCHANGES,),
        Quota: (EXCHANGES,),
        Mission: (EXCHANGES,),
        Placement: (EXCHANGES,),
        AgreementVersion: (EXCHANGES,),
        Approval: (EXCHANGES,),
        FollowUp: (EXCHANGES,),
        Evaluation: (EVALUATIONS,),
        Finding: (EVALUATIONS,),
        Report: (REPORTS,),
    }
    for model, names in covered.items():
        receiver = _receiver(names)
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"version-{model}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"version-d-{model}")
    m2m_changed.connect(
        _receiver((VOLUNTEERS,)),
        sender=Volunteer.themes.through,
        weak=False,
        dispatch_uid="version-volunteer-themes",
    )


def _receiver(names: tuple[str, ...]):
    def receiver(sender, **kwargs):
        if kwargs.get("raw") or kwargs.get("action", "post_").startswith("pre_"):
            return  # loaddata; the announcement of a many-to-many change
        bump(*names)

    return receiver
