"""The monthly quota run: the agreements in force during the month reported, each report
recorded once per month (a unique constraint, whatever the number of runs), CSV by default."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from exchanges import quota_report
from exchanges.quota_report import month_reported, quota_reports_monthly
from reports.models import Report
from tests.factories import AgencyFactory, AgreementFactory, QuotaFactory

RUN_ON = datetime.date(2024, 3, 1)  # reports February 2024
FEBRUARY = datetime.date(2024, 2, 1)


def _agreement(reference, start, end, status="approved"):
    agreement = AgreementFactory(reference=reference, start_date=start, end_date=end, status=status)
    QuotaFactory(agreement=agreement)
    return agreement


@pytest.fixture
def agreements(db):
    d = datetime.date
    return {
        "in-force": _agreement("IN-FORCE", d(2023, 1, 1), d(2024, 12, 31)),
        "ended-in-february": _agreement("ENDED-FEB", d(2022, 1, 1), d(2024, 2, 10)),
        "began-in-february": _agreement("BEGAN-FEB", d(2024, 2, 29), d(2026, 1, 1)),
        "closed": _agreement("CLOSED", d(2020, 1, 1), d(2024, 1, 31)),
        "not-yet": _agreement("NOT-YET", d(2024, 3, 1), d(2026, 1, 1)),
        "terminated": _agreement("TERMINATED", d(2023, 1, 1), d(2025, 1, 1), "terminated"),
        "suspended": _agreement("SUSPENDED", d(2023, 1, 1), d(2025, 1, 1), "suspended"),
        "draft": _agreement("DRAFT", d(2023, 1, 1), d(2025, 1, 1), "draft"),
    }


@pytest.fixture
def no_sweep(monkeypatch):
    """The rows only (their rendering is the reports' business, tested there)."""
    monkeypatch.setattr(quota_report, "reports_sweep", lambda **kwargs: 0)


def _monthly():
    return Report.objects.filter(kind="quota", scheduled_for=FEBRUARY)


def test_the_month_reported_is_the_month_before_the_run():
    assert month_reported(RUN_ON) == (FEBRUARY, datetime.date(2024, 2, 29))
    assert month_reported(datetime.date(2024, 1, 1)) == (
        datetime.date(2023, 12, 1),
        datetime.date(2023, 12, 31),
    )


def test_only_the_agreements_in_force_during_the_month_are_reported(agreements, no_sweep):
    recorded = quota_reports_monthly(today=RUN_ON)
    references = set(
        _monthly().exclude(agreement=None).values_list("agreement__reference", flat=True)
    )
    assert references == {"IN-FORCE", "ENDED-FEB", "BEGAN-FEB"}
    # And one report per agency party to one of them, no other agency.
    reported = [agreements[key] for key in ("in-force", "ended-in-february", "began-in-february")]
    parties = {pk for a in reported for pk in a.party_ids}
    assert set(_monthly().filter(agreement=None).values_list("agency", flat=True)) == parties
    assert recorded == 3 + len(parties) == _monthly().count()


def test_running_twice_records_each_report_once(agreements, no_sweep):
    first = quota_reports_monthly(today=RUN_ON)
    assert first > 0
    assert quota_reports_monthly(today=RUN_ON) == 0
    assert quota_reports_monthly(today=RUN_ON + datetime.timedelta(days=3)) == 0  # same month
    assert _monthly().count() == first
    assert _monthly().filter(agreement=agreements["in-force"]).count() == 1


def test_a_run_racing_another_skips_what_the_other_recorded(agreements, no_sweep):
    # The other run has recorded one agreement's report between our selection and our insert
    # (no check before the insert any more: the constraint decides).
    Report.objects.create(kind="quota", scheduled_for=FEBRUARY, agreement=agreements["in-force"])
    recorded = quota_reports_monthly(today=RUN_ON)
    assert recorded == _monthly().count() - 1
    assert _monthly().filter(agreement=agreements["in-force"]).count() == 1


def test_the_database_refuses_a_second_scheduled_report_for_the_same_scope(agreements):
    agreement, agency = agreements["in-force"], AgencyFactory()
    for scope in ({"agreement": agreement}, {"agency": agency}, {}):
        Report.objects.create(kind="quota", scheduled_for=FEBRUARY, **scope)
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(kind="quota", scheduled_for=FEBRUARY, **scope)
        # Another month, or a report someone asks for, is another report.
        Report.objects.create(kind="quota", scheduled_for=datetime.date(2024, 3, 1), **scope)
        Report.objects.create(kind="quota", **scope)
        Report.objects.create(kind="quota", **scope)


def test_bulk_runs_render_csv_unless_the_setting_asks_for_pdf(
    agreements, settings, tasks_in_process
):
    quota_reports_monthly(today=RUN_ON)
    monthly = _monthly()
    assert set(monthly.values_list("format", flat=True)) == {"csv"}
    assert set(monthly.values_list("status", flat=True)) == {"done"}  # the sweep enqueued them
    assert all(name.endswith(".csv") for name in monthly.values_list("filename", flat=True))

    settings.QUOTA_REPORTS_MONTHLY_FORMAT = "pdf"
    quota_reports_monthly(today=datetime.date(2024, 4, 1))
    march = Report.objects.filter(scheduled_for=datetime.date(2024, 3, 1))
    assert march.exists() and set(march.values_list("format", flat=True)) == {"pdf"}
