"""Writes of the volunteers app: the register, withdrawal, personal data, and imports."""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from agencies.models import DownloadRecord
from agencies.services import download_labels_erase
from core.bulk import insert_instances, insert_rows
from core.errors import DomainError
from core.history import Reason, history_of_created, reason_code
from core.integrity import refused_if_taken
from core.outbox import emails_erase
from core.stored_text import Text, stored
from core.tasks import enqueue, enqueue_on_commit

from . import eligibility
from .importing import ImportFileError, ParsedRow, check_rows, read_table
from .models import (
    ANONYMOUS_NAME,
    Experience,
    ExperienceSpan,
    LanguageSkill,
    Volunteer,
    VolunteerImport,
    email_concern,
)
from .validators import HEAD_BYTES, import_format

logger = logging.getLogger(__name__)

Status = Volunteer.Status
ImportStatus = VolunteerImport.Status

# A worker that died mid-import leaves its job "running"; after this delay another may take it
# over (the import writes in one transaction, so a dead run left nothing behind).
IMPORT_TASK = "volunteers.tasks.run_volunteer_import"  # the task wrapping volunteer_import_run
STALE_AFTER = datetime.timedelta(minutes=30)
MAX_REPORTED = 1000  # issues kept on the job record; the counts are exact


# --- Experience spans (derived data for the "eligible on" filter) ---------------------------


SPAN_COLUMNS = ["volunteer", "start", "end", "days_before", "origin", "days_through"]
EXPERIENCE_COLUMNS = [
    "volunteer", "organisation", "role", "start", "end", "description", "proof", "proof_name"
]  # fmt: skip


def _span_rows(volunteer_id: int, spans: list[eligibility.Span]) -> list[tuple]:
    """A volunteer's spans as rows of ``SPAN_COLUMNS`` (written by ``core.bulk.insert_rows``)."""
    return [(volunteer_id, s.start, s.end, s.days_before, s.origin, s.days_through) for s in spans]


def _met_on(spans: list[eligibility.Span]) -> datetime.date | None:
    return eligibility.experience_met_on(spans, eligibility.VIR_RULES.min_experience_days)


def experience_spans_refresh(*, volunteer_ids: Iterable[int], batch: int = 1000) -> None:
    """Rebuild the spans of these volunteers from their experience periods, and the date on
    which their experience meets the VIR rule (``Volunteer.experience_met_on``)."""
    ids = list(volunteer_ids)
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        periods = defaultdict(list)
        rows = Experience.objects.filter(volunteer_id__in=chunk)
        for volunteer_id, start, end in rows.values_list("volunteer_id", "start", "end"):
            periods[volunteer_id].append((start, end))
        spans = {pk: eligibility.merged_spans(periods[pk]) for pk in chunk}
        ExperienceSpan.objects.filter(volunteer_id__in=chunk).delete()
        insert_rows(
            ExperienceSpan,
            SPAN_COLUMNS,
            [row for pk, merged in spans.items() for row in _span_rows(pk, merged)],
        )
        Volunteer.objects.bulk_update(
            [Volunteer(pk=pk, experience_met_on=_met_on(merged)) for pk, merged in spans.items()],
            ["experience_met_on"],
        )


# --- The register ---------------------------------------------------------------------------


# The form field each unique rule of a volunteer is shown on (as the form's own check does).
VOLUNTEER_UNIQUE_FIELDS = {
    "volunteer_unique_email_per_agency": "email",
    "volunteer_unique_person_per_agency": "last_name",
}


@transaction.atomic
def volunteer_save(*, form, experiences, languages) -> Volunteer:
    """Save a valid volunteer form with its experience and language formsets. The same person
    or e-mail registered in the meantime (a form sent twice at once) is refused (DomainError).
    The status is the one stored (the placements set it, maybe since the form was opened), but
    for a withdrawn volunteer put back on the register as a candidate."""
    if form.instance.pk is not None:
        stored = (
            Volunteer.objects.select_for_update()
            .filter(pk=form.instance.pk)
            .values_list("status", flat=True)
            .first()
        )
        back = stored == Status.WITHDRAWN and form.instance.status == Status.CANDIDATE
        if stored is not None and not back:
            form.instance.status = stored
    elif form.instance.status != Status.CANDIDATE:
        raise DomainError(_("A new volunteer is registered as a candidate."))
    with refused_if_taken(form.instance, fields=VOLUNTEER_UNIQUE_FIELDS):
        volunteer = form.save()
    for formset in (experiences, languages):
        formset.instance = volunteer
        formset.save()
    experience_spans_refresh(volunteer_ids=[volunteer.pk])
    old_files = [getattr(f, "replaced_proof", None) for f in experiences.forms]
    old_files += [e.proof.name for e in experiences.deleted_objects if e.proof]
    _delete_files_on_commit([name for name in old_files if name])
    return volunteer


def check_agency_move(volunteer: Volunteer, agency) -> None:
    """A volunteer changes sending agency only while they have no placement: every placement
    is under a quota whose sending agency is the volunteer's (the invariant the nomination
    checks), and that agency proposed it, follows it up and sees it. Moved, the volunteer
    would take their placements out of its sight and into that of an agency that made none
    of them. The person is registered with the other agency instead."""
    if volunteer.pk is None or agency is None or agency.pk == volunteer.sending_agency_id:
        return
    # Placements are declared above this app (missions): read through their relation.
    placements = volunteer.placements.count()
    if placements:
        raise DomainError(
            ngettext(
                "%(volunteer)s has %(count)d placement proposed by %(agency)s: a volunteer "
                "stays with the agency that proposed their placements. Register the person "
                "with the other agency instead.",
                "%(volunteer)s has %(count)d placements proposed by %(agency)s: a volunteer "
                "stays with the agency that proposed their placements. Register the person "
                "with the other agency instead.",
                placements,
            )
            % {
                "volunteer": volunteer,
                "count": placements,
                "agency": volunteer.sending_agency.acronym,
            },
            field="sending_agency",
        )


def _delete_files_on_commit(names: list[str]) -> None:
    """Remove stored files only once the rows that named them are gone for good."""
    if names:
        storage = Experience._meta.get_field("proof").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def withdrawal_checks() -> Iterator[Callable]:
    """Rules that apps above ``volunteers`` add to a withdrawal (a placement under way must be
    withdrawn first, so that its host is told): dotted paths in
    ``settings.VOLUNTEER_WITHDRAWAL_CHECKS``, each taking the volunteer and raising
    ``DomainError`` (as ``missions.nomination_checks``)."""
    for path in getattr(settings, "VOLUNTEER_WITHDRAWAL_CHECKS", ()):
        yield import_string(path)


@transaction.atomic
def volunteer_withdraw(*, volunteer: Volunteer, user, reason: str = "") -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.is_anonymised:
        raise DomainError(_("This volunteer has been anonymised."))
    if volunteer.status == Status.WITHDRAWN:
        raise DomainError(_("This volunteer has already withdrawn."))
    for check in withdrawal_checks():
        check(volunteer)
    volunteer.status = Status.WITHDRAWN
    volunteer._change_reason = reason.strip()[:100] or reason_code(Reason.WITHDRAWN)
    volunteer._history_user = user
    volunteer.full_clean()
    volunteer.save()
    return volunteer


def volunteer_personal_data(*, volunteer: Volunteer, user) -> dict:
    """Everything the register holds about one person (a data subject's access request).

    The download itself is recorded in the volunteer's history, with who made it.
    """
    experiences = list(volunteer.experiences.all())
    data = {
        "id": volunteer.pk,
        "first_name": volunteer.first_name,
        "last_name": volunteer.last_name,
        "sex": volunteer.sex,
        # Once anonymised, the year alone: the day and month stored are a stand-in.
        "birth_date": (
            str(volunteer.birth_date.year)
            if volunteer.is_anonymised
            else volunteer.birth_date.isoformat()
        ),
        "nationality": volunteer.nationality.code,
        "diaspora": volunteer.diaspora,
        "email": volunteer.email,
        "phone": volunteer.phone,
        "city": volunteer.city,
        "country": volunteer.country.code or "",
        "education_level": volunteer.education_level,
        "languages": [
            {"language": s.language, "level": s.level} for s in volunteer.languages.all()
        ],
        "skills": volunteer.skills,
        "motivation": volunteer.motivation,
        "themes": [t.code for t in volunteer.themes.all()],
        "sending_agency": volunteer.sending_agency.acronym,
        "status": volunteer.status,
        "notes": volunteer.notes,
        "experiences": [
            {
                "organisation": e.organisation,
                "role": e.role,
                "start": e.start.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "description": e.description,
                "proof_document": e.proof_name or None,
            }
            for e in experiences
        ],
        "created_at": volunteer.created_at.isoformat(),
        "updated_at": volunteer.updated_at.isoformat(),
        "anonymised_at": volunteer.anonymised_at.isoformat() if volunteer.anonymised_at else None,
        "exported_at": timezone.now().isoformat(),
    }
    Volunteer.history.bulk_history_create(
        [volunteer],
        update=True,
        default_user=user,
        default_change_reason=reason_code(Reason.PERSONAL_DATA),
    )
    return data


# The apps above this one that keep a volunteer's name or words about them elsewhere (their
# pre-departure documents and the notes of their placements, their questionnaire's answers, a
# certificate's facts and file): "module.function" taking the
# anonymised ``volunteer``, called inside the anonymisation's transaction. Strings, as the
# report builders are, so that this app imports none of them.
ERASERS = [
    "missions.departures.placements_anonymise",
    "voice.services.answers_anonymise",
    "voice.certificates.certificates_anonymise",
]
IDENTITY_ERASED = {
    "email": "",
    "phone": "",
    "city": "",
    "skills": "",
    "motivation": "",
    "notes": "",
}


@transaction.atomic
def volunteer_anonymise(*, volunteer: Volunteer, user) -> Volunteer:
    """Erase the identity of a volunteer who asks for it; keep what statistics need.

    Kept: sex, year of birth, nationality, diaspora, country, education, languages, themes,
    agency, status and the dates of the experience periods. Erased, also from the earlier
    versions in the history (or the erasure would be a pretence): names, exact birth date,
    contact details, free texts and proof documents; the name in the labels of the log of
    downloads, and where the apps above keep it (``ERASERS``: pre-departure documents, the
    notes of placements and follow-ups, the questionnaire's texts, a certificate's facts and
    PDF); the e-mails that name them, sent or waiting (``core.outbox.emails_erase``).
    The anonymisation itself is recorded.
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.is_anonymised:
        raise DomainError(_("This volunteer has already been anonymised."))
    # Every name and address they had (the e-mails were written with the one of their day).
    known = Volunteer.history.filter(id=volunteer.pk).values_list(
        "first_name", "last_name", "email"
    )
    known = {*known, (volunteer.first_name, volunteer.last_name, volunteer.email)}
    # Mid-year keeps ages right to within six months for statistics.
    erased = {
        **IDENTITY_ERASED,
        "first_name": ANONYMOUS_NAME,
        "last_name": ANONYMOUS_NAME,
        "birth_date": datetime.date(volunteer.birth_date.year, 7, 1),
    }
    _delete_files_on_commit([e.proof.name for e in volunteer.experiences.all() if e.proof])
    Experience.objects.filter(volunteer=volunteer).update(description="", proof="", proof_name="")
    Experience.history.filter(volunteer_id=volunteer.pk).update(
        description="", proof="", proof_name=""
    )
    Volunteer.history.filter(id=volunteer.pk).update(**erased)
    for name, value in erased.items():
        setattr(volunteer, name, value)
    volunteer.anonymised_at = timezone.now()
    volunteer._change_reason = reason_code(Reason.ANONYMISED)
    volunteer._history_user = user
    volunteer.full_clean(exclude=["first_name", "last_name"])
    volunteer.save()
    # The log of downloads names what was downloaded: the volunteer's data, their proofs.
    label = volunteer.full_name
    download_labels_erase(
        kind=DownloadRecord.Kind.PERSONAL_DATA, object_ids=[volunteer.pk], label=label
    )
    experiences = Experience.objects.filter(volunteer=volunteer).values_list("pk", flat=True)
    download_labels_erase(kind=DownloadRecord.Kind.PROOF, object_ids=experiences, label=label)
    for eraser in ERASERS:
        import_string(eraser)(volunteer=volunteer)
    # The e-mails about them, sent or waiting: the notices to the agencies, the follow-up
    # reminders, the weekly alerts, and the questionnaire's e-mails to the person.
    emails_erase(
        concerning=email_concern(volunteer.pk),
        names=[f"{first} {last}" for first, last, _email in known],
        label=gettext_lazy("Anonymised volunteer"),
        addresses=[email for _first, _last, email in known],
    )
    return volunteer


# --- Imports --------------------------------------------------------------------------------

LIVE = [ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE]


def volunteer_import_submit(
    *, agency, user, data: bytes, file_name: str, language: str
) -> tuple[VolunteerImport, bool]:
    """Record an uploaded file and enqueue its import; ``(job, created)``.

    The same file (same SHA-256) for the same agency is imported once: a second submission
    returns the first job, unless that one failed.
    """
    file_format = import_format(data[:HEAD_BYTES])
    if file_format is None:
        raise DomainError(_("Send a CSV or XLSX file."))
    checksum = hashlib.sha256(data).hexdigest()
    live = VolunteerImport.objects.filter(agency=agency, checksum=checksum, status__in=LIVE)
    existing = live.first()
    if existing:
        return existing, False
    job = VolunteerImport(
        agency=agency,
        uploaded_by=user,
        file_name=file_name[:255],
        checksum=checksum,
        language=language,
    )
    job.full_clean(exclude=["file"], validate_constraints=False)  # the database decides below
    job.file.save(f"{uuid.uuid4().hex}.{file_format}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # the same file submitted twice at the same moment
        job.file.delete(save=False)
        return live.get(), False
    enqueue_on_commit(IMPORT_TASK, job.pk)
    return job, True


def volunteer_import_enqueue_again(*, volunteer_import: VolunteerImport) -> bool:
    """Enqueue a job that is still waiting (the broker was down when it was recorded)."""
    if volunteer_import.status != ImportStatus.QUEUED:
        return False
    return enqueue(IMPORT_TASK, volunteer_import.pk)


def _update(job: VolunteerImport, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    VolunteerImport.objects.filter(pk=job.pk).update(**fields)


def _message(message) -> dict:
    """The job's message as stored: its source (``message_source``), translated for each
    reader when shown, and its translation for the uploader (``message``, as the admin shows
    it)."""
    return {"message": str(message), "message_source": stored(message)}


def _finish(job: VolunteerImport, status: str, **fields) -> None:
    _update(job, status=status, finished_at=timezone.now(), **fields)


def volunteer_import_run(*, import_id: int) -> None:
    """Run one import job, once: it is claimed with a conditional update."""
    now = timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        VolunteerImport.objects.filter(claimable, pk=import_id)
        .update(status=ImportStatus.RUNNING, started_at=now, checked_rows=0)
    )  # fmt: skip
    if not claimed:
        return
    job = VolunteerImport.objects.select_related("agency", "uploaded_by").get(pk=import_id)
    with translation.override(job.language):
        try:
            _run(job)
        except Exception:
            logger.exception("Volunteer import %s failed", job.pk)
            _finish(
                job,
                ImportStatus.FAILED,
                **_message(
                    Text(
                        gettext_noop(
                            "The import stopped on an unexpected error; nothing was imported."
                        )
                    )
                ),
            )


def _run(job: VolunteerImport) -> None:
    with job.file.open("rb") as f:
        data = f.read()
    try:
        header, rows = read_table(data, import_format(data[:HEAD_BYTES]) or "csv")
    except ImportFileError as exc:
        _finish(job, ImportStatus.FAILED, **_message(exc.message))
        return
    _update(job, total_rows=len(rows))
    result = check_rows(
        agency=job.agency,
        header=header,
        rows=rows,
        progress=lambda n: _update(job, checked_rows=n),
    )
    if result.errors:
        _finish(
            job,
            ImportStatus.FAILED,
            error_count=len(result.errors),
            errors=[i.as_dict() for i in result.errors[:MAX_REPORTED]],
            **_message(
                Text(
                    gettext_noop(
                        "Nothing was imported: correct the rows below and submit the file again."
                    )
                )
            ),
        )
        return
    try:
        with transaction.atomic():
            _create(job, result.rows)
    except IntegrityError:
        _finish(
            job,
            ImportStatus.FAILED,
            **_message(
                Text(
                    gettext_noop(
                        "Some of these volunteers were registered meanwhile; nothing was "
                        "imported. Submit the file again: they will be reported as duplicates."
                    )
                )
            ),
        )
        return
    _finish(
        job,
        ImportStatus.DONE,
        created_count=len(result.rows),
        duplicate_count=len(result.duplicates),
        duplicates=[i.as_dict() for i in result.duplicates[:MAX_REPORTED]],
    )


def _create(job: VolunteerImport, rows: list[ParsedRow], batch: int = 1000) -> None:
    merged_of_row = [eligibility.merged_spans([e.period for e in r.experiences]) for r in rows]
    for row, spans_of_row in zip(rows, merged_of_row, strict=True):
        row.volunteer.experience_met_on = _met_on(spans_of_row)
    volunteers = [r.volunteer for r in rows]
    insert_instances(Volunteer, volunteers)
    history_of_created(
        Volunteer,
        [v.pk for v in volunteers],
        user=job.uploaded_by,
        reason=reason_code(Reason.IMPORTED, job.file_name),
        batch=batch,
    )
    themes, languages, experiences, spans = [], [], [], []
    for row, volunteer, merged in zip(rows, volunteers, merged_of_row, strict=True):
        vid = volunteer.pk
        themes += [(vid, theme_id) for theme_id in row.theme_ids]
        languages += [(vid, language, level) for language, level in row.languages]
        experiences += [
            (vid, e.organisation, e.role, e.start, e.end, e.description, "", "")
            for e in row.experiences  # checked by the import; a file brings no proof
        ]
        spans += _span_rows(vid, merged)
    # The volunteer's history records the import (who, when, which file); the job keeps the
    # file and its checksum. Doubling every language and period with a history row of its own
    # would only slow a 10,000-row import down; their later changes are recorded as usual.
    # Themes, languages, experiences and spans are plain rows, written without preparing each
    # value through its field (core.bulk).
    insert_rows(Volunteer.themes.through, ["volunteer", "theme"], themes)
    insert_rows(LanguageSkill, ["volunteer", "language", "level"], languages)
    insert_rows(Experience, EXPERIENCE_COLUMNS, experiences)
    insert_rows(ExperienceSpan, SPAN_COLUMNS, spans)
