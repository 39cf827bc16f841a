"""The downloads recorded before the one log (report downloads, export downloads) move into it
when the database is migrated, with who, when, a label and the agency they were made for."""

import datetime

import pytest
from django.utils import timezone

from tests.migrating import migrate_to, migrate_to_the_end

BEFORE = [
    ("agencies", "0003_download_log"),
    ("reports", "0004_report_scheduled_once_per_month"),
    ("volunteers", "0011_volunteer_export_lease"),
]
AFTER = [
    ("reports", "0005_download_log_replaces_report_downloads"),
    ("volunteers", "0012_download_log_replaces_export_downloads"),
]


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_the_end()


def test_the_old_download_records_move_into_the_log(old_schema):
    apps = old_schema
    User = apps.get_model("auth", "User")
    Agency = apps.get_model("agencies", "Agency")
    Membership = apps.get_model("agencies", "Membership")
    Report = apps.get_model("reports", "Report")
    ReportDownload = apps.get_model("reports", "ReportDownload")
    VolunteerExport = apps.get_model("volunteers", "VolunteerExport")
    VolunteerExportDownload = apps.get_model("volunteers", "VolunteerExportDownload")

    anvt = Agency.objects.create(name="ANVT", acronym="ANVT", country="TG", kind="other")
    cnpv = Agency.objects.create(name="CNPV", acronym="CNPV", country="ML", kind="other")
    reader = User.objects.create(username="reader")
    Membership.objects.create(user=reader, agency=anvt, role="partner")
    Membership.objects.create(user=reader, agency=cnpv, role="manager")
    report = Report.objects.create(kind="quota", agency=cnpv, filename="quotas.pdf")
    export = VolunteerExport.objects.create(requested_by=reader, format="csv", filename="v.csv")
    long_ago = timezone.now() - datetime.timedelta(days=400)
    ReportDownload.objects.create(report=report, user=reader)
    ReportDownload.objects.update(at=long_ago)
    VolunteerExportDownload.objects.create(export=export, user=reader)

    apps = migrate_to(AFTER)
    records = {r.kind: r for r in apps.get_model("agencies", "DownloadRecord").objects.all()}
    assert set(records) == {"report", "volunteer_export"}
    report_record, export_record = records["report"], records["volunteer_export"]
    assert (report_record.object_id, report_record.label, report_record.username) == (
        report.pk,
        "quotas.pdf",
        "reader",
    )
    assert report_record.at == long_ago
    # The report concerns CNPV, where the reader is a member; the export, the agency where the
    # reader may export (a manager of CNPV, only a partner of ANVT).
    assert report_record.agency_id == cnpv.pk and export_record.agency_id == cnpv.pk
    assert (export_record.object_id, export_record.label) == (export.pk, "v.csv")
    assert export_record.user_id == reader.pk
