"""Writes on host structures."""

from __future__ import annotations

from django.db import transaction

from core.integrity import refused_if_taken

from .models import HostStructure

# The form field each unique rule of a host structure is shown on (as the form's check does).
HOST_STRUCTURE_UNIQUE_FIELDS = {"hoststructure_unique_name_per_city": "name"}


@transaction.atomic
def host_structure_save(*, form) -> HostStructure:
    """Save a valid host structure form. The same name in the same city registered in the
    meantime (the form sent twice at once) is refused (DomainError on the name)."""
    with refused_if_taken(form.instance, fields=HOST_STRUCTURE_UNIQUE_FIELDS):
        return form.save()
