"""Write-side rules of the agencies app: host structures, the log of downloads."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from core.integrity import refused_if_taken

from . import rules as access
from .models import ANONYMOUS_DOWNLOADER, DownloadRecord, HostStructure

Kind = DownloadRecord.Kind

# The form field each unique rule of a host structure is shown on (as the form's check does).
HOST_STRUCTURE_UNIQUE_FIELDS = {"hoststructure_unique_name_per_city": "name"}


def check_host_structure(*, structure: HostStructure, agency, country) -> None:
    """A structure is in the country of the agency that manages it (the host agency of its
    missions); one that hosts missions stays with that agency: a mission's host structure is
    one of its quota's receiving agency, which sees and edits it (``missions.services.
    check_mission``). ``structure`` as stored (unsaved: a new one), ``agency`` and
    ``country`` as wanted."""
    if agency.country and country != agency.country:
        raise DomainError(
            _("A host structure of %(agency)s is in %(country)s.")
            % {"agency": agency.acronym, "country": agency.country.name},
            field="country",
        )
    if structure.pk is None or structure.agency_id == agency.pk:
        return
    # Missions are declared above this app: read through the relation they declare.
    missions = structure.missions.count()
    if missions:
        raise DomainError(
            ngettext(
                "%(structure)s hosts %(count)d mission of %(agency)s: it stays with that "
                "agency, the host agency of its missions.",
                "%(structure)s hosts %(count)d missions of %(agency)s: it stays with that "
                "agency, the host agency of its missions.",
                missions,
            )
            % {"structure": structure.name, "count": missions, "agency": structure.agency.acronym},
            field="agency",
        )


@transaction.atomic
def host_structure_save(*, form) -> HostStructure:
    """Save a valid host structure form. The same name in the same city registered in the
    meantime (the form sent twice at once) is refused (DomainError on the name). The rules of
    ``check_host_structure`` (the admin's form runs them too)."""
    structure, agency = form.instance, form.agency
    # The form keeps a structure with its agency (``HostStructureForm``): no move to check.
    check_host_structure(structure=structure, agency=agency, country=structure.country)
    with refused_if_taken(form.instance, fields=HOST_STRUCTURE_UNIQUE_FIELDS):
        return form.save()


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded header is the client's to write. Behind a proxy this is the
    # proxy's address, which is why the field is optional.
    address = request.META.get("REMOTE_ADDR", "")
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def _acting_agency_id(request, concerns: Iterable[int | None]) -> int | None:
    """The agency the user acts for, unless the object concerns other agencies: then the first
    of those the user belongs to (a manager of two agencies downloading one's volunteer from the
    other's pages acts for the volunteer's agency, whose managers must see it)."""
    acting = request.membership.agency_id if getattr(request, "membership", None) else None
    concerned = [pk for pk in concerns if pk is not None]
    if not concerned or acting in concerned:
        return acting
    mine = access.agency_ids_of(request.user)
    return next((pk for pk in concerned if pk in mine), acting)


def download_record(
    *,
    request,
    kind: str,
    object_id: int,
    label: str,
    concerns: Iterable[int | None] = (),
    each_of: Iterable[int] = (),
) -> DownloadRecord:
    """Record one download of personal or agreement data, before the response is sent: every
    download view of the platform calls this, and nothing else writes the log. ``each_of``:
    the agencies whose data a file holds (an export of several agencies' volunteers): each of
    them gets the record in its log, not only the agency the user acts for."""
    user = request.user
    if not user.is_authenticated:
        # A volunteer through their personal link (no account): the sending agency is told.
        agencies = [next((a for a in concerns if a), None)]
    else:
        agencies = sorted({pk for pk in each_of if pk is not None}) or [
            _acting_agency_id(request, concerns)
        ]
    fields = {
        "kind": kind,
        "object_id": object_id,
        "label": str(label)[:255],
        "user": user if user.is_authenticated else None,
        "username": user.get_username() if user.is_authenticated else ANONYMOUS_DOWNLOADER,
        "ip": _client_ip(request),
    }
    records = DownloadRecord.objects.bulk_create(
        [DownloadRecord(agency_id=agency_id, **fields) for agency_id in agencies]
    )
    return records[0]


def download_labels_erase(
    *, kind: str, object_ids: Iterable[int], label: str, was: str | None = None
) -> int:
    """Rename the downloads of ``kind`` of ``object_ids`` (labelled ``was``, when given) in the
    log to ``label``: a volunteer who is anonymised is no longer named by what was downloaded
    of them (the log keeps who downloaded what kind of thing, when). The one change the log
    allows."""
    records = DownloadRecord.objects.filter(kind=kind, object_id__in=list(object_ids))
    if was is not None:
        records = records.filter(label=was[:255])
    return records.update(label=label[:255])
