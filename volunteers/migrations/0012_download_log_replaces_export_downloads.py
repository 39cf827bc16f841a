"""The downloads of volunteer exports move into the platform's one log of downloads
(agencies.DownloadRecord), then their table goes."""

from django.db import migrations

# Exports are made by officers and managers: the agency where the user held such a role.
EXPORTING_ROLES = ("manager", "officer")


def to_the_log(apps, schema_editor):
    VolunteerExportDownload = apps.get_model("volunteers", "VolunteerExportDownload")
    DownloadRecord = apps.get_model("agencies", "DownloadRecord")
    Membership = apps.get_model("agencies", "Membership")
    agency_of = {}
    for m in Membership.objects.order_by("agency__acronym"):
        if m.user_id not in agency_of or (
            m.role in EXPORTING_ROLES and agency_of[m.user_id][1] not in EXPORTING_ROLES
        ):
            agency_of[m.user_id] = (m.agency_id, m.role)
    records = [
        DownloadRecord(
            kind="volunteer_export",
            object_id=download.export_id,
            label=(download.export.filename or f"export #{download.export_id}")[:255],
            agency_id=agency_of.get(download.user_id, (None, None))[0],
            user_id=download.user_id,
            username=download.user.username,
            at=download.at,
        )
        for download in VolunteerExportDownload.objects.select_related("export", "user")
    ]
    DownloadRecord.objects.bulk_create(records, batch_size=1000)


def from_the_log(apps, schema_editor):
    VolunteerExportDownload = apps.get_model("volunteers", "VolunteerExportDownload")
    DownloadRecord = apps.get_model("agencies", "DownloadRecord")
    VolunteerExport = apps.get_model("volunteers", "VolunteerExport")
    exports = set(VolunteerExport.objects.values_list("pk", flat=True))
    for record in DownloadRecord.objects.filter(kind="volunteer_export", user__isnull=False):
        if record.object_id in exports:
            download = VolunteerExportDownload.objects.create(
                export_id=record.object_id, user_id=record.user_id
            )
            VolunteerExportDownload.objects.filter(pk=download.pk).update(at=record.at)
    DownloadRecord.objects.filter(kind="volunteer_export").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0011_volunteer_export_lease"),
        ("agencies", "0003_download_log"),
    ]

    operations = [
        migrations.RunPython(to_the_log, from_the_log),
        migrations.DeleteModel(name="VolunteerExportDownload"),
    ]
