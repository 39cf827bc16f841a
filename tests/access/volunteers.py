from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse

from volunteers.models import Experience, Volunteer, VolunteerExport, VolunteerImport

from . import NOBODY, Row, everyone

READERS = {"evaluator": 403, "partner": 403}
OTHERS = {"partner_agency": 404, "outsider": 404}
MANAGERS_ONLY = everyone(403, manager=200, admin=200, **OTHERS)


def _anvt():
    # Volunteers without placements: a host agency also sees those nominated to its missions.
    return Volunteer.objects.filter(
        sending_agency__acronym="ANVT", anonymised_at__isnull=True, placements__isnull=True
    )


def anvt_volunteer():
    return _anvt().order_by("pk").first().pk


def fresh_anvt_volunteer():
    """A volunteer still to withdraw or anonymise: each persona's POST gets its own."""
    return _anvt().exclude(status="withdrawn").order_by("-pk").first().pk


def anvt_proof():
    experience = Experience.objects.filter(volunteer_id=anvt_volunteer()).order_by("pk").first()
    if not experience.proof:
        experience.proof.save("attestation.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    return experience.pk


def anvt_import():
    return VolunteerImport.objects.filter(agency__acronym="ANVT").order_by("pk").first().pk


def volunteers():
    return Volunteer.objects.count()


def volunteer_state():
    return Volunteer.objects.filter(pk=anvt_volunteer()).values().get()


def withdrawn():
    return Volunteer.objects.filter(status="withdrawn").count()


def anonymised():
    return Volunteer.objects.filter(anonymised_at__isnull=False).count()


def imports():
    return sorted(VolunteerImport.objects.values_list("pk", "status", "created_at"))


def officer_export():
    """A finished export of ANVT's officer: only they (and admins) reach it."""
    officer = get_user_model().objects.get(username="anvt-officer")
    done = VolunteerExport.objects.filter(requested_by=officer, status="done")
    export = done.order_by("pk").first()
    if export is None:
        export = VolunteerExport(
            requested_by=officer, format="csv", status="done", rows_written=1, sha256="0" * 64
        )
        export.file.save("export.csv", ContentFile(b"\xef\xbb\xbfpr\xc3\xa9nom\r\n"), save=False)
        export.filename = "volontaires.csv"
        export.size = export.file.size
        export.save()
    return export.pk


def exports():
    return VolunteerExport.objects.count()


def export_states():
    return sorted(VolunteerExport.objects.values_list("pk", "status", "enqueued_at"))


OWN_EXPORT = everyone(404, officer=200, admin=200)


def url(name, *args):
    return lambda: reverse(f"volunteers:{name}", args=[a() for a in args])


ROWS = [
    Row("volunteers:index", url("index"), everyone(200)),
    # Each agency exports its own register; readers of an agency do not export contact details.
    # A POST records an export job (the filters in the query) and shows its page.
    Row(
        "volunteers:export",
        url("export"),
        everyone(302, **READERS),
        method="post",
        effect=exports,
    ),
    Row("volunteers:export", url("export"), everyone(405)),
    # An export is its requester's own (it holds contact details): 404 for anyone else.
    Row("volunteers:export_detail", url("export_detail", officer_export), OWN_EXPORT),
    Row(
        "volunteers:export_detail",
        url("export_detail", officer_export),
        everyone(404, officer=302, admin=302),
        method="post",
        effect=export_states,
        performed_by=NOBODY,  # "start again" is for a queued or failed export, not a done one
    ),
    Row("volunteers:export_download", url("export_download", officer_export), OWN_EXPORT),
    # Creating and importing act for the user's acting agency (admins have none).
    Row("volunteers:create", url("create"), everyone(200, **READERS, admin=403)),
    # The empty forms are answered with their errors.
    Row(
        "volunteers:create",
        url("create"),
        everyone(200, **READERS, admin=403),
        method="post",
        effect=volunteers,
    ),
    Row("volunteers:detail", url("detail", anvt_volunteer), everyone(200, **OTHERS)),
    Row("volunteers:edit", url("edit", anvt_volunteer), everyone(200, **READERS, **OTHERS)),
    Row(
        "volunteers:edit",
        url("edit", anvt_volunteer),
        everyone(200, **READERS, **OTHERS),
        method="post",
        effect=volunteer_state,
    ),
    Row(
        "volunteers:withdraw",
        url("withdraw", fresh_anvt_volunteer),
        everyone(302, **READERS, **OTHERS),
        method="post",
        effect=withdrawn,
    ),
    Row("volunteers:personal_data", url("personal_data", anvt_volunteer), MANAGERS_ONLY),
    Row("volunteers:anonymise", url("anonymise", fresh_anvt_volunteer), MANAGERS_ONLY),
    Row(
        "volunteers:anonymise",
        url("anonymise", fresh_anvt_volunteer),
        everyone(403, manager=302, admin=302, **OTHERS),
        method="post",
        effect=anonymised,
    ),
    Row("volunteers:proof", url("proof", anvt_proof), everyone(200, **OTHERS)),
    Row("volunteers:import", url("import"), everyone(200, **READERS, admin=403)),
    Row(
        "volunteers:import",
        url("import"),
        everyone(200, **READERS, admin=403),
        method="post",
        effect=imports,
    ),
    Row("volunteers:import_template", url("import_template"), everyone(200)),
    Row(
        "volunteers:import_detail",
        url("import_detail", anvt_import),
        everyone(200, **READERS, **OTHERS),
    ),
    Row(
        "volunteers:import_detail",
        url("import_detail", anvt_import),
        everyone(302, **READERS, **OTHERS),
        method="post",
        effect=imports,
        performed_by=NOBODY,  # the job is done: only a job still queued is queued again
    ),
]
