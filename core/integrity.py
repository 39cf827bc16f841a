"""A unique constraint taken by a concurrent request becomes a refusal, not a server error.

A form checks that a reference or an e-mail is free, then the service inserts the row: two
submissions at the same moment (a double click, two tabs) both pass the check, and the second
insert breaks the constraint (``IntegrityError``). ``refused_if_taken`` runs the insert in a
savepoint, so that the request's transaction stays usable, and reads back which unique rule the
row now breaks: the service raises ``DomainError`` with that rule's message and field, and the
view answers the form again with the error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction

from .errors import DomainError


@contextmanager
def refused_if_taken(
    instance: models.Model, *, fields: Mapping[str, str] | None = None
) -> Iterator[None]:
    """Run the block in a savepoint; if it breaks a unique rule of ``instance`` (taken in the
    meantime by another row), raise ``DomainError`` on the rule's field. ``fields`` names the
    field of a constraint on expressions (``{"volunteer_unique_email_per_agency": "email"}``).
    Any other integrity error goes on as it is."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        broken = broken_unique_rule(instance, fields or {})
        if broken is None:
            raise
        field, message = broken
        raise DomainError(message, field=field) from None


def broken_unique_rule(
    instance: models.Model, fields: Mapping[str, str]
) -> tuple[str | None, str] | None:
    """(field or None, message) of the first unique rule that another row holds, or None."""
    try:
        instance.validate_unique()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            return (None if field == NON_FIELD_ERRORS else field), messages[0]
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        try:
            constraint.validate(type(instance), instance)
        except ValidationError as exc:
            field = fields.get(constraint.name)
            if field is None and len(constraint.fields) == 1:
                field = constraint.fields[0]
            return field, exc.messages[0]
    return None
