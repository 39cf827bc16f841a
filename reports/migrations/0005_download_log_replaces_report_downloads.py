"""The report downloads move into the platform's one log of downloads (agencies.DownloadRecord),
then their table goes."""

from django.db import migrations


def _agency_of(memberships, concerned):
    """The agency the download was made for: the first concerned agency the user belongs to,
    else the user's first agency (by acronym), else none (an administrator)."""
    mine = [m.agency_id for m in memberships]
    return next((pk for pk in concerned if pk in mine), mine[0] if mine else None)


def to_the_log(apps, schema_editor):
    ReportDownload = apps.get_model("reports", "ReportDownload")
    DownloadRecord = apps.get_model("agencies", "DownloadRecord")
    Membership = apps.get_model("agencies", "Membership")
    memberships = {}
    for m in Membership.objects.order_by("agency__acronym"):
        memberships.setdefault(m.user_id, []).append(m)
    records = []
    for download in ReportDownload.objects.select_related("report__agreement", "user"):
        report = download.report
        agreement = report.agreement
        concerned = [report.agency_id]
        if agreement is not None:
            concerned += [agreement.party_a_id, agreement.party_b_id]
        records.append(
            DownloadRecord(
                kind="report",
                object_id=report.pk,
                label=(report.filename or f"{report.kind} #{report.pk}")[:255],
                agency_id=_agency_of(memberships.get(download.user_id, []), concerned),
                user_id=download.user_id,
                username=download.user.username,
                at=download.at,
            )
        )
    DownloadRecord.objects.bulk_create(records, batch_size=1000)


def from_the_log(apps, schema_editor):
    ReportDownload = apps.get_model("reports", "ReportDownload")
    DownloadRecord = apps.get_model("agencies", "DownloadRecord")
    Report = apps.get_model("reports", "Report")
    reports = set(Report.objects.values_list("pk", flat=True))
    for record in DownloadRecord.objects.filter(kind="report", user__isnull=False):
        if record.object_id in reports:
            download = ReportDownload.objects.create(
                report_id=record.object_id, user_id=record.user_id
            )
            ReportDownload.objects.filter(pk=download.pk).update(at=record.at)
    DownloadRecord.objects.filter(kind="report").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_report_scheduled_once_per_month"),
        ("agencies", "0003_download_log"),
    ]

    operations = [
        migrations.RunPython(to_the_log, from_the_log),
        migrations.DeleteModel(name="ReportDownload"),
    ]
