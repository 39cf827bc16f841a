"""The canonical rendering of an agreement's substance and the comparison of two versions."""

import copy
import random

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from exchanges.versions import canonical_json, compare, sha256_of


@pytest.fixture(autouse=True)
def _french():
    """Messages are asserted in French, whatever language an earlier test left active."""
    with translation.override("fr"):
        yield


BASE = {
    "format": 2,
    "reference": "VIR-TG-ML-2017",
    "title": "Volontariat international de réciprocité Togo–Mali",
    "parties": {"a": {"id": 1, "acronym": "ANVT"}, "b": {"id": 2, "acronym": "CNPV"}},
    "dates": {"start": "2017-10-01", "end": "2018-09-30"},
    "rules": {"min_age": 18, "max_age": 25, "min_experience_days": 730},
    "mission_duration_months": {"min": 6, "max": 12},
    "language_requirements": "Français.",
    "themes": ["ecology", "health"],
    "quotas": [
        {"cohort": "2017", "sending": "ANVT", "receiving": "CNPV", "places": 4,
         "duration_months": None},
        {"cohort": "2017", "sending": "CNPV", "receiving": "ANVT", "places": 2,
         "duration_months": None},
    ],
}  # fmt: skip


def changed(**paths):
    data = copy.deepcopy(BASE)
    for path, value in paths.items():
        *parents, leaf = path.split("__")
        target = data
        for key in parents:
            target = target[key]
        target[leaf] = value
    return data


def test_identical_versions_have_no_difference():
    comparison = compare(BASE, copy.deepcopy(BASE))
    assert not comparison.has_changes
    assert comparison.fields == [] and comparison.quotas == []


def test_it_lists_changed_fields_with_their_old_and_new_values():
    new = changed(rules__max_age=30, dates__end="2019-09-30", themes=["health"])
    comparison = compare(BASE, new)
    assert [(c.field, c.old, c.new) for c in comparison.fields] == [
        ("dates.end", "2018-09-30", "2019-09-30"),
        ("rules.max_age", 25, 30),
        ("themes", ["ecology", "health"], ["health"]),
    ]
    assert str(comparison.fields[1].label) == "Âge maximum"
    assert comparison.quotas == []


def test_it_compares_quota_by_quota():
    new = copy.deepcopy(BASE)
    new["quotas"][0]["places"] = 5  # changed
    del new["quotas"][1]  # removed
    new["quotas"].append(
        {"cohort": "2018", "sending": "ANVT", "receiving": "CNPV", "places": 3,
         "duration_months": 9}
    )  # fmt: skip
    comparison = compare(BASE, new)
    assert not comparison.fields
    kinds = {(q.cohort, q.sending, q.receiving): q.kind for q in comparison.quotas}
    assert kinds == {
        ("2017", "ANVT", "CNPV"): "changed",
        ("2017", "CNPV", "ANVT"): "removed",
        ("2018", "ANVT", "CNPV"): "added",
    }
    changed_quota = comparison.quotas[0]
    assert [(f.field, f.old, f.new) for f in changed_quota.fields] == [("places", 4, 5)]


def test_the_comparison_is_symmetric_in_what_it_reports():
    new = changed(rules__min_age=20)
    forward, backward = compare(BASE, new), compare(new, BASE)
    assert [(c.field, c.old, c.new) for c in forward.fields] == [
        (c.field, c.new, c.old) for c in backward.fields
    ]


@given(st.randoms(use_true_random=False))
def test_the_canonical_text_does_not_depend_on_key_order(rnd: random.Random):
    def shuffled(value):
        if isinstance(value, dict):
            items = list(value.items())
            rnd.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    assert canonical_json(shuffled(BASE)) == canonical_json(BASE)


@given(st.integers(min_value=0, max_value=1000))
def test_any_change_of_places_changes_the_hash(places):
    new = copy.deepcopy(BASE)
    new["quotas"][0]["places"] = places
    same = places == BASE["quotas"][0]["places"]
    assert (sha256_of(canonical_json(new)) == sha256_of(canonical_json(BASE))) == same


def test_accents_are_kept_as_written_in_the_canonical_text():
    text = canonical_json(BASE)
    assert "réciprocité Togo–Mali" in text and "Français." in text
    assert canonical_json({"b": [1, 2], "a": "é"}) == '{"a":"é","b":[1,2]}'
