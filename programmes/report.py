"""The programme's progress report, for its funder: rendered by the ``reports`` machinery
(a Celery task claims it once), as PDF or CSV, on demand and every quarter."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.csv import csv_bytes
from core.files import download_name
from reports.models import Report
from reports.pdf import render_pdf
from reports.services import report_request, reports_sweep

from .models import Programme
from .selectors import Figures, programme_figures


def figure_rows(figures: Figures) -> list[list]:
    """The report's table: targets, then laureates by level, missions by status, by year and
    country (the report's CSV, the dashboard's CSV, and the data table under the PDF's chart).
    A target says where it stands, as on the dashboard: met, not yet, or missed once the
    programme has ended."""
    rows = [[_("Target"), _("Goal"), _("Actual"), _("Status")]]
    rows += [
        [t.label, t.target, "" if t.actual is None else t.actual, t.status_label]
        for t in figures.targets
    ]
    rows += [[], [_("Level"), _("Laureates"), _("Share (%)")]]
    rows += [[str(label), n, "" if pct is None else pct] for label, n, pct in figures.levels]
    rows += [[], [_("Status"), _("Missions")]]
    rows += [[str(label), n] for label, n in figures.missions_by_status]
    rows += [[], [_("Year"), _("Country"), _("Missions")]]
    rows += [[year, country, n] for year, country, n in figures.by_year_country]
    return rows


def build(report: Report) -> tuple[bytes, str]:
    """The ``reports`` builder for programme reports: (content, file name)."""
    programme = report.programme
    stamp = timezone.localdate().isoformat()
    # The language in the name: the same day's reports in two languages are two files.
    label = download_name(f"{programme.name}-{report.language}")
    with translation.override(report.language):
        figures = programme_figures(programme)
        if report.format == Report.Format.CSV:
            delimiter = report.params.get("delimiter") or ""
            return csv_bytes(figure_rows(figures), delimiter=delimiter), f"{label}-{stamp}.csv"
        html = render_to_string(
            "programmes/report_pdf.html",
            {
                "programme": programme,
                "figures": figures,
                "language": report.language,
                "generated": timezone.localdate(),
            },
        )
    return render_pdf(html), f"{label}-{stamp}.pdf"


def programme_report_request(*, programme: Programme, user, file_format: str, language: str):
    return report_request(
        kind=Report.Kind.PROGRAMME,
        user=user,
        language=language,
        format=file_format,
        programme=programme,
    )


def quarter_reported(today: datetime.date) -> datetime.date:
    """The first day of the quarter before ``today``'s (the run of 1 April reports January to
    March)."""
    first_of_quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    previous = first_of_quarter - datetime.timedelta(days=1)
    return previous.replace(month=(previous.month - 1) // 3 * 3 + 1, day=1)


def programme_reports_quarterly(*, today: datetime.date | None = None) -> int:
    """The quarterly run (Celery beat): the PDF progress report of each programme running during
    the quarter reported, recorded once per quarter (``report_scheduled_once_per_programme``)
    however often the schedule fires; the sweep enqueues them. Returns the number recorded."""
    first = quarter_reported(today or timezone.localdate())
    last = (first + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    running = Programme.objects.filter(Q(start_date__lte=last) & Q(end_date__gte=first))
    reports = [
        Report(
            kind=Report.Kind.PROGRAMME,
            format=Report.Format.PDF,
            programme=programme,
            scheduled_for=first,
            period_start=first,
            period_end=last,
        )
        for programme in running
    ]
    Report.objects.bulk_create(reports, ignore_conflicts=True)
    reports_sweep(older_than=datetime.timedelta(0))
    return Report.objects.filter(kind=Report.Kind.PROGRAMME, scheduled_for=first).count()
