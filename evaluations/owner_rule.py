"""A recommendation's owner is a party of the evaluated agreement, kept by the database too.

On PostgreSQL the migration ``0004_recommendation_owner_is_a_party`` creates the trigger. On
SQLite the same rule is registered with ``core.triggers``, which creates it after every
``migrate`` (a table rebuild by a later migration would otherwise fail on it).
"""

from core.triggers import register_sqlite_triggers

_NOT_A_PARTY = """NEW.owner_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM evaluations_evaluation e
    JOIN exchanges_agreement a ON a.id = e.agreement_id
    WHERE e.id = NEW.evaluation_id AND NEW.owner_id IN (a.party_a_id, a.party_b_id))"""

_EVENTS = (("insert", "INSERT"), ("update", "UPDATE OF owner_id, evaluation_id"))

SQLITE_OWNER_RULE = register_sqlite_triggers(
    names=[f"finding_owner_is_party_{name}" for name, _ in _EVENTS],
    create=[
        f"""CREATE TRIGGER finding_owner_is_party_{name} BEFORE {event} ON evaluations_finding
        FOR EACH ROW WHEN {_NOT_A_PARTY}
        BEGIN SELECT RAISE(ABORT, 'finding_owner_is_party'); END"""
        for name, event in _EVENTS
    ],
    tables=["evaluations_finding", "evaluations_evaluation", "exchanges_agreement"],
)
