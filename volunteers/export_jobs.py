"""Exports of the volunteer list as background jobs (``exports.VolunteerExport``).

The request records the export and enqueues its task once the transaction commits; if the
broker is down the row stays queued, the page says so, and the sweep (or the page's button)
enqueues it again. The task claims the row with a lease (``core.jobs``), so it runs once even
if its worker dies (the sweep takes it back), and writes the file from a database cursor to a
temporary file: memory stays flat whatever the number of rows.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import jobs
from core.tasks import enqueue

from . import exporting
from .exports import VolunteerExport
from .filters import VolunteerFilter
from .selectors import volunteers_exportable_by

logger = logging.getLogger(__name__)
EXPORT_TASK = "volunteers.tasks.run_volunteer_export"  # the task wrapping volunteer_export_run

Status = VolunteerExport.Status
PROGRESS_EVERY = 1000  # rows between two updates of the progress on the row
SWEEP_AFTER = datetime.timedelta(minutes=2)


def export_filters(query: QueryDict) -> dict[str, list[str]]:
    """The filters of the list page that an export keeps (nothing else of the query)."""
    return {
        name: values
        for name in VolunteerFilter.base_filters
        if (values := [v for v in query.getlist(name) if v])
    }


def _send(export: VolunteerExport) -> bool:
    """Enqueue the export's task now; True if the broker took it (then noted on the row)."""
    sent = enqueue(EXPORT_TASK, export.pk)
    if sent:
        VolunteerExport.objects.filter(pk=export.pk, enqueued_at__isnull=True).update(
            enqueued_at=timezone.now()
        )
    export.enqueued = sent
    return sent


@transaction.atomic
def volunteer_export_request(
    *, user, file_format: str, filters: dict[str, list[str]], language: str, delimiter: str = ""
) -> VolunteerExport:
    """Record an export of the list as ``user`` filters it; its task is enqueued on commit.

    ``export.enqueued`` then says whether the broker took it (None until the commit).
    """
    export = VolunteerExport(
        requested_by=user,
        format=file_format,
        filters=filters,
        language=language,
        delimiter=delimiter if delimiter in (";", ",") else "",
    )
    export.full_clean(exclude=["file"])
    export.save()
    export.enqueued = None
    transaction.on_commit(lambda: _send(export))
    return export


def volunteer_export_restart(*, export: VolunteerExport) -> bool:
    """Enqueue again an export still waiting (the broker was down), one that failed or one
    whose worker was lost (its lease expired)."""
    restarted = jobs.retry(VolunteerExport, export.pk, also=Q(status=Status.QUEUED), message="")
    return restarted and _send(export)


def volunteer_exports_sweep(*, older_than: datetime.timedelta = SWEEP_AFTER) -> int:
    """Enqueue again the exports left queued and take back those whose worker was lost (lease
    expired; failed after the last attempt). Safe to repeat: each runs once (the claim)."""
    return jobs.sweep(
        VolunteerExport,
        send=lambda pk: _send(VolunteerExport(pk=pk)),
        older_than=older_than,
        error_field="message",
    )


# --- The task's work ------------------------------------------------------------------------


def volunteer_export_run(*, export_id: int) -> bool:
    """Write the export if it can be claimed (core.jobs); False if another delivery has it."""
    reset = {"rows_written": 0, "total_rows": None, "message": ""}
    return jobs.run(VolunteerExport, export_id, _write, on_error=_failed, reset=reset)


def _failed(claim: jobs.Claim, exc: Exception) -> None:
    export = VolunteerExport.objects.only("language").get(pk=claim.pk)
    with translation.override(export.language):
        claim.fail(message=_("The export stopped on an unexpected error. Start it again."))


def _write(claim: jobs.Claim) -> None:
    export = VolunteerExport.objects.select_related("requested_by").get(pk=claim.pk)
    with translation.override(export.language):
        _write_rows(claim, export)


def _write_rows(claim: jobs.Claim, export: VolunteerExport) -> None:
    user = export.requested_by
    # The requester's access now, not when they asked: a role may have been taken away since.
    if user is None or not user.is_active or not user.has_perm("vir.export_volunteers"):
        claim.fail(
            message=_("Your role no longer allows exporting volunteers: nothing was exported.")
        )
        return
    query = QueryDict(mutable=True)
    for name, values in export.filters.items():
        query.setlist(name, values)
    filterset = VolunteerFilter(query or None, queryset=volunteers_exportable_by(user), user=user)
    volunteers = filterset.qs
    # The rows per sending agency, in the query that counts them: the agencies whose log each
    # download of the file goes to.
    per_agency = dict(
        volunteers.order_by()
        .values_list("sending_agency_id")
        .annotate(n=Count("pk"))
        .values_list("sending_agency_id", "n")
    )
    total = sum(per_agency.values())
    claim.renew(total_rows=total)

    def progress(written: int) -> None:
        claim.renew(rows_written=written)  # the progress renews the lease (a heartbeat)

    written = 0

    def counted(rows):
        nonlocal written
        for written, row in enumerate(rows):  # noqa: B007 (the header is row 0)
            yield row

    rows = counted(
        exporting.export_rows(volunteers, export.language, progress=progress, every=PROGRESS_EVERY)
    )
    digest, size = hashlib.sha256(), 0
    with tempfile.TemporaryFile() as out:
        if export.format == VolunteerExport.Format.XLSX:
            exporting.write_xlsx(rows, out)
        else:
            exporting.write_csv(rows, out, language=export.language, delimiter=export.delimiter)
        out.seek(0)
        while block := out.read(1 << 20):
            digest.update(block)
            size += len(block)
        out.seek(0)
        stamp = timezone.localdate().isoformat()
        claim.finish_with_file(
            export,
            f"volunteers-{stamp}.{export.format}",
            File(out),
            filename=f"{_('volunteers')}-{stamp}.{export.format}",
            sha256=digest.hexdigest(),
            size=size,
            rows_written=written,
            total_rows=written,
            agency_ids=sorted(per_agency),
        )
