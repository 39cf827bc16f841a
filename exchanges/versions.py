"""The substance of an agreement: its canonical rendering, its hash, and the comparison of two.

Both parties approve *exactly the same text*: the substance (parties, dates, eligibility rules,
mission durations, languages, themes, quotas) is rendered as JSON with sorted keys, no spaces
and quotas in a fixed order, so that the same substance always gives the same bytes and the
same SHA-256. Notes and the signed document are not substance: changing them needs no new
approval. ``compare`` is a pure function of two renderings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# Bump when the rendering changes shape, so that old versions stay readable and comparable.
# 2: the minimum experience in days ("rules.min_experience_days"), no longer in months.
# 3: the agreement's imbalance threshold ("imbalance_threshold"; format 2 meant 2).
FORMAT = 3
# The threshold every agreement had before format 3 (the quota report's constant).
FORMAT_2_THRESHOLD = 2

FIELD_LABELS = {
    "reference": _("Reference"),
    "title": _("Title"),
    "parties.a.acronym": _("First party"),
    "parties.b.acronym": _("Second party"),
    "dates.start": _("Start date"),
    "dates.end": _("End date"),
    "rules.min_age": _("Minimum age"),
    "rules.max_age": _("Maximum age"),
    "rules.min_experience_days": _("Minimum volunteering experience (days)"),
    "rules.min_experience_months": _("Minimum volunteering experience (months)"),  # format 1
    "mission_duration_months.min": _("Shortest mission (months)"),
    "mission_duration_months.max": _("Longest mission (months)"),
    "language_requirements": _("Language requirements"),
    "themes": _("Themes"),
    "imbalance_threshold": _("Imbalance threshold (volunteers)"),
}
QUOTA_FIELD_LABELS = {
    "places": _("Places"),
    "duration_months": _("Mission duration (months)"),
}


def render_substance(agreement, *, quotas=None, themes=None, fmt: int = FORMAT) -> dict:
    """The substance of ``agreement`` as saved in the database (two queries).

    A bulk loader may pass what it already holds: ``quotas`` as (cohort, sending acronym,
    receiving acronym, places, duration) rows and ``themes`` as codes.

    ``fmt`` 2 renders as a version recorded before format 3 was (``version_format``), so that
    such a version, pending or approved, still matches an unchanged agreement: its threshold,
    2 then, is left out while it is 2, and written (never matching) once it is not.
    """
    if quotas is None:
        quotas = agreement.quotas.order_by().values_list(
            "cohort", "sending__acronym", "receiving__acronym", "places", "duration_months"
        )
    if themes is None:
        themes = agreement.themes.values_list("code", flat=True)
    substance = {
        "format": fmt,
        "reference": agreement.reference,
        "title": agreement.title,
        "parties": {
            "a": {"id": agreement.party_a_id, "acronym": agreement.party_a.acronym},
            "b": {"id": agreement.party_b_id, "acronym": agreement.party_b.acronym},
        },
        "dates": {"start": agreement.start_date.isoformat(), "end": agreement.end_date.isoformat()},
        "rules": {
            "min_age": agreement.min_age,
            "max_age": agreement.max_age,
            "min_experience_days": agreement.min_experience_days,
        },
        "mission_duration_months": {
            "min": agreement.min_duration_months,
            "max": agreement.max_duration_months,
        },
        "language_requirements": agreement.language_requirements.strip(),
        "themes": sorted(themes),
        "quotas": sorted(
            (
                {
                    # Text, as versions rendered before cohorts were years: the hash of an
                    # approved version stays the hash of the same substance.
                    "cohort": str(cohort),
                    "sending": sending,
                    "receiving": receiving,
                    "places": places,
                    "duration_months": duration,
                }
                for cohort, sending, receiving, places, duration in quotas
            ),
            key=_quota_key,
        ),
    }
    if fmt >= 3 or agreement.imbalance_threshold != FORMAT_2_THRESHOLD:
        substance["imbalance_threshold"] = agreement.imbalance_threshold
    return substance


def version_format(version) -> int:
    """The rendering format of a recorded version (its canonical JSON says it)."""
    return int(version.data.get("format", 1))


def matches(agreement, version) -> bool:
    """Whether ``agreement``'s saved substance is the one ``version`` recorded, rendered in
    the version's own format (format 2 and 3 of one substance hash differently)."""
    fmt = max(version_format(version), 2)
    return sha256_of(canonical_json(render_substance(agreement, fmt=fmt))) == version.sha256


def canonical_json(substance: dict) -> str:
    return json.dumps(substance, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_of(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _quota_key(quota: dict) -> tuple[str, str, str]:
    return (quota["cohort"], quota["sending"], quota["receiving"])


def _flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def label(self):
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class QuotaChange:
    cohort: str
    sending: str
    receiving: str
    old: dict | None  # None: the quota is new
    new: dict | None  # None: the quota was removed

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    @property
    def fields(self) -> list[FieldChange]:
        """What changed inside a quota present in both versions."""
        old, new = self.old or {}, self.new or {}
        return [
            FieldChange(name, old.get(name), new.get(name))
            for name in QUOTA_FIELD_LABELS
            if old.get(name) != new.get(name)
        ]


@dataclass(frozen=True)
class Comparison:
    fields: list[FieldChange]
    quotas: list[QuotaChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields or self.quotas)


def _with_threshold(substance: dict) -> dict:
    """A rendering from before format 3 had the threshold every agreement had then."""
    if substance.get("format", 1) < 3 and "imbalance_threshold" not in substance:
        return {**substance, "imbalance_threshold": FORMAT_2_THRESHOLD}
    return substance


def compare(old: dict, new: dict) -> Comparison:
    """What changed from ``old`` to ``new`` (two renderings), field by field, quota by quota."""
    old, new = _with_threshold(old), _with_threshold(new)
    old_flat = _flatten({k: v for k, v in old.items() if k not in {"quotas", "format"}})
    new_flat = _flatten({k: v for k, v in new.items() if k not in {"quotas", "format"}})
    order = list(FIELD_LABELS) + sorted((set(old_flat) | set(new_flat)) - set(FIELD_LABELS))
    fields = [
        FieldChange(name, old_flat.get(name), new_flat.get(name))
        for name in order
        if not name.endswith(".id") and old_flat.get(name) != new_flat.get(name)
    ]
    old_quotas = {_quota_key(q): q for q in old.get("quotas", [])}
    new_quotas = {_quota_key(q): q for q in new.get("quotas", [])}
    quotas = [
        QuotaChange(*key, old=old_quotas.get(key), new=new_quotas.get(key))
        for key in sorted(set(old_quotas) | set(new_quotas))
        if old_quotas.get(key) != new_quotas.get(key)
    ]
    return Comparison(fields=fields, quotas=quotas)
