"""Data versions, and what is cached under them (see docs/performance.md).

A data version is a counter per kind of data (``VOLUNTEERS``, ``EXCHANGES``, ``EVALUATIONS``,
``REPORTS``) and per agency, raised once a transaction that changed such data commits. A value
computed from the data is cached under a key that holds the versions it depends on: the first
request after a change misses the cache and recomputes, in whichever process serves it.

Per agency, so that a change in Bamako does not empty Quito's cache: a change raises the
counters of the agencies its rows concern (a placement: its sending and receiving agencies), or
every agency's at once for what everybody sees (a theme, an agency's acronym), and always the
platform-wide counter that administrators' pages (all agencies) read. Raising them after the
commit, rather than within the transaction, keeps writers from queuing on the counters' rows,
and a reader never caches old data under a new version.

Saves and deletions are seen through signals (``connect``); the services that write in bulk or
by conditional update (the import, the experience spans, the report worker) call ``bump``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
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


def _names(kinds: Iterable[str], agencies: Iterable[int] | None) -> list[str]:
    """The counters a reader of ``agencies`` (None: all of them, an administrator) depends on."""
    if agencies is None:
        return list(kinds)
    ids = sorted(set(agencies))
    return [name for kind in kinds for name in (f"{kind}@all", *(f"{kind}@{a}" for a in ids))]


def bump(kinds: Iterable[str], agencies: Iterable[int | None] | None = None) -> None:
    """Raise ``kinds`` for ``agencies`` (None: every agency) once the current transaction
    commits, at once outside one; the platform-wide counters always."""
    kinds = tuple(kinds)
    ids = None if agencies is None else {a for a in agencies if a is not None}
    if ids:
        scoped = [f"{kind}@{a}" for kind in kinds for a in sorted(ids)]
    else:  # every agency (also when the rows concerned could not be found)
        scoped = [f"{kind}@all" for kind in kinds]
    names = [*kinds, *scoped]
    _after_commit(lambda: _raise(names))


def _after_commit(action: Callable[[], None]) -> None:
    transaction.on_commit(action, robust=True)


def _raise(names) -> None:
    for name in names:  # one row per statement: concurrent bumps never wait on each other
        if not DataVersion.objects.filter(name=name).update(value=F("value") + 1):
            DataVersion.objects.bulk_create(
                [DataVersion(name=name, value=1)], ignore_conflicts=True
            )


# The versions read for the value being computed: a value cached inside another (the home
# page's aggregates inside the home page) is keyed by the same reading, without a second query.
_reading: ContextVar[dict[str, int] | None] = ContextVar("data_versions", default=None)


def _read(names: list[str]) -> dict[str, int]:
    values = _reading.get() or {}
    missing = [name for name in names if name not in values]
    if missing:
        found = dict(DataVersion.objects.filter(name__in=missing).values_list("name", "value"))
        values = {**values, **{name: found.get(name, 0) for name in missing}}
    return values


def current(kinds: Iterable[str], agencies: Iterable[int] | None = None) -> tuple[int, ...]:
    names = _names(kinds, agencies)
    values = _read(names)
    return tuple(values[name] for name in names)


def cached(
    key_parts: tuple,
    kinds: tuple[str, ...],
    compute: Callable[[], object],
    agencies: Iterable[int] | None = None,
):
    """``compute()``, cached under ``key_parts``, the versions of ``kinds`` for ``agencies``
    (None: all agencies), the language and today's date (eligibility changes at midnight)."""
    names = _names(kinds, agencies)
    values = _read(names)
    mine = tuple(values[name] for name in names)
    raw = repr((key_parts, names, mine, get_language(), timezone.localdate()))
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


def cached_page(
    key_parts: tuple,
    kinds: tuple[str, ...],
    render: Callable[[], str],
    agencies: Iterable[int] | None = None,
) -> str:
    """A page's rendered content, cached like ``cached`` unless ``settings.PAGE_CACHE`` is off.
    ``key_parts`` must hold all the content depends on: the user's access
    (``rules.access_key``) and the query."""
    if not settings.PAGE_CACHE:
        return render()
    return cached(key_parts, kinds, render, agencies)


# --- What a change concerns -----------------------------------------------------------------
# Each returns the ids of the agencies whose pages show the row, or None for every agency.


def _parties(agreements) -> list[int] | None:
    pairs = list(agreements.values_list("party_a_id", "party_b_id"))
    return [a for pair in pairs for a in pair] or None


def _quota_parties(quotas) -> list[int] | None:
    pairs = list(quotas.values_list("sending_id", "receiving_id"))
    return [a for pair in pairs for a in pair] or None


def _scopes() -> dict:
    from agencies.models import Agency
    from evaluations.models import Evaluation, Finding
    from exchanges.models import Agreement, AgreementVersion, Approval, Quota, Theme
    from missions.models import FollowUp, Mission, Placement
    from reports.models import Report
    from volunteers.models import Experience, LanguageSkill, Volunteer

    def volunteer_of(row):
        volunteer = Volunteer.objects.filter(pk=row.volunteer_id)
        return list(volunteer.values_list("sending_agency_id", flat=True)) or None

    def evaluation(row):
        parties = _parties(Agreement.objects.filter(pk=row.agreement_id)) or []
        return [row.agency_id, *parties]

    def finding(row):
        found = Evaluation.objects.filter(pk=row.evaluation_id).values_list("agency_id", flat=True)
        return [row.owner_id, *found]

    def report(row):
        if row.agreement_id is None:  # an agency's report: no query
            return [row.agency_id]
        return [row.agency_id, *(_parties(Agreement.objects.filter(pk=row.agreement_id)) or [])]

    return {
        Volunteer: ((VOLUNTEERS,), lambda v: [v.sending_agency_id]),
        Experience: ((VOLUNTEERS,), volunteer_of),
        LanguageSkill: ((VOLUNTEERS,), volunteer_of),
        Theme: ((VOLUNTEERS, EXCHANGES), lambda t: None),
        Agency: ((VOLUNTEERS, EXCHANGES), lambda a: None),  # its acronym is shown everywhere
        Agreement: ((EXCHANGES,), lambda a: [a.party_a_id, a.party_b_id]),
        Quota: ((EXCHANGES,), lambda q: [q.sending_id, q.receiving_id]),
        Mission: ((EXCHANGES,), lambda m: _quota_parties(Quota.objects.filter(pk=m.quota_id))),
        Placement: ((EXCHANGES,), lambda p: _quota_parties(Quota.objects.filter(pk=p.quota_id))),
        FollowUp: (
            (EXCHANGES,),
            lambda f: _quota_parties(Quota.objects.filter(placements=f.placement_id)),
        ),
        AgreementVersion: (
            (EXCHANGES,),
            lambda v: _parties(Agreement.objects.filter(pk=v.agreement_id)),
        ),
        Approval: (
            (EXCHANGES,),
            lambda a: _parties(Agreement.objects.filter(versions=a.version_id)),
        ),
        Evaluation: ((EVALUATIONS,), evaluation),
        Finding: ((EVALUATIONS,), finding),
        Report: ((REPORTS,), report),
    }


_SCOPES: dict = {}


def changed(row) -> None:
    """Raise the versions that ``row``'s change concerns (what the signals do), for the
    services that change rows without a signal."""
    kinds, scope = _SCOPES[type(row)]
    bump(kinds, scope(row))


def connect() -> None:
    """Raise the versions on every save and deletion of the data they cover."""
    from volunteers.models import Volunteer

    _SCOPES.update(_scopes())

    def on_change(sender, instance, **kwargs):
        if not kwargs.get("raw"):  # loaddata
            changed(instance)

    for model in _SCOPES:
        post_save.connect(on_change, sender=model, weak=False, dispatch_uid=f"version-{model}")
        post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=f"version-d-{model}")

    def on_themes(sender, instance, action, **kwargs):
        if action.startswith("post_"):  # not the announcement of the change
            agencies = [instance.sending_agency_id] if isinstance(instance, Volunteer) else None
            bump((VOLUNTEERS,), agencies)

    m2m_changed.connect(
        on_themes, sender=Volunteer.themes.through, weak=False, dispatch_uid="version-themes"
    )
