"""Exports of the volunteer list as background jobs (``exports.VolunteerExport``).

The request records the export and enqueues its task once the transaction commits; if the
broker is down the row stays queued, the page says so, and the sweep (or the page's button)
enqueues it again. The task claims the row with a conditional update, so it runs once, and
writes the file from a database cursor to a temporary file: memory stays flat whatever the
number of rows.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.tasks import enqueue

from . import exporting
from .exports import VolunteerExport
from .filters import VolunteerFilter
from .selectors import volunteers_exportable_by

logger = logging.getLogger(__name__)
EXPORT_TASK = "volunteers.tasks.run_volunteer_export"  # the task wrapping volunteer_export_run

Status = VolunteerExport.Status
PROGRESS_EVERY = 1000  # rows between two updates of the progress on the row
# A worker that died mid-export leaves its row "running"; after this delay another may take it.
STALE_AFTER = datetime.timedelta(minutes=30)
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
    *, user, file_format: str, filters: dict[str, list[str]], language: str
) -> VolunteerExport:
    """Record an export of the list as ``user`` filters it; its task is enqueued on commit.

    ``export.enqueued`` then says whether the broker took it (None until the commit).
    """
    export = VolunteerExport(
        requested_by=user, format=file_format, filters=filters, language=language
    )
    export.full_clean(exclude=["file"])
    export.save()
    export.enqueued = None
    transaction.on_commit(lambda: _send(export))
    return export


def volunteer_export_restart(*, export: VolunteerExport) -> bool:
    """Enqueue again an export still waiting (the broker was down) or one that failed."""
    restartable = Q(status=Status.QUEUED) | Q(status=Status.FAILED)
    updated = VolunteerExport.objects.filter(restartable, pk=export.pk).update(
        status=Status.QUEUED, message="", started_at=None, finished_at=None
    )
    return bool(updated) and _send(export)


def volunteer_exports_sweep(*, older_than: datetime.timedelta = SWEEP_AFTER) -> int:
    """Enqueue again the exports left queued. Safe to repeat: each runs once (the claim)."""
    stale = VolunteerExport.objects.filter(
        status=Status.QUEUED, created_at__lt=timezone.now() - older_than
    )
    sent = 0
    for export in stale.only("pk").iterator():
        if not _send(export):
            break  # the broker is still down: the next sweep will try again
        sent += 1
    return sent


# --- The task's work ------------------------------------------------------------------------


def volunteer_export_run(*, export_id: int) -> bool:
    """Write the export if it can be claimed; False if another delivery already has it."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - STALE_AFTER)
    claimed = VolunteerExport.objects.filter(claimable, pk=export_id).update(
        status=Status.RUNNING,
        started_at=now,
        finished_at=None,
        rows_written=0,
        total_rows=None,
        message="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return False
    export = VolunteerExport.objects.select_related("requested_by").get(pk=export_id)
    with translation.override(export.language):
        try:
            _write(export)
        except Exception:
            logger.exception("Volunteer export %s failed", export_id)
            _fail(export, _("The export stopped on an unexpected error. Start it again."))
    return True


def _fail(export: VolunteerExport, message: str) -> None:
    VolunteerExport.objects.filter(pk=export.pk).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )


def _write(export: VolunteerExport) -> None:
    user = export.requested_by
    # The requester's access now, not when they asked: a role may have been taken away since.
    if user is None or not user.is_active or not user.has_perm("vir.export_volunteers"):
        _fail(export, _("Your role no longer allows exporting volunteers: nothing was exported."))
        return
    query = QueryDict(mutable=True)
    for name, values in export.filters.items():
        query.setlist(name, values)
    filterset = VolunteerFilter(query or None, queryset=volunteers_exportable_by(user), user=user)
    volunteers = filterset.qs
    total = volunteers.order_by().count()
    VolunteerExport.objects.filter(pk=export.pk).update(total_rows=total)

    def progress(written: int) -> None:
        VolunteerExport.objects.filter(pk=export.pk, status=Status.RUNNING).update(
            rows_written=written
        )

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
            exporting.write_csv(rows, out)
        out.seek(0)
        while block := out.read(1 << 20):
            digest.update(block)
            size += len(block)
        out.seek(0)
        stamp = timezone.localdate().isoformat()
        export.file.save(f"volunteers-{stamp}.{export.format}", File(out), save=False)
    export.filename = f"{_('volunteers')}-{stamp}.{export.format}"
    export.sha256 = digest.hexdigest()
    export.size = size
    export.rows_written = written
    export.total_rows = written
    export.status = Status.DONE
    export.finished_at = timezone.now()
    export.save(
        update_fields=[
            "file", "filename", "sha256", "size", "rows_written", "total_rows", "status",
            "finished_at",
        ]
    )  # fmt: skip
