"""The quota report: how each agreement's quotas are used, and whether exchanges stay reciprocal.

Scope: one agreement, one agency's agreements, or all of them. One SQL query whatever the
number of agreements and placements: the quota rows joined to their placement counts per status,
grouped in one pass (``selectors.placement_counts_query``); the balance per direction is summed
from those rows. All 120,000 quotas and 2,000,000 placements take about 1.5 s with the CSV
(docs/performance.md).
Rendered as CSV (UTF-8 with BOM, for spreadsheets) or as PDF (see ``reports``).
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from agencies import rules as access
from agencies.models import Agency
from core import csv as safe_csv
from core.files import download_name
from core.texts import of_agency
from reports.charts import Series, grouped_bars
from reports.models import Report
from reports.pdf import render_pdf
from reports.services import report_request, reports_sweep

from .models import (
    DEFAULT_IMBALANCE_THRESHOLD,
    Agreement,
    Quota,
    binding_threshold,
    in_force_q,
    pending_quota_q,
)
from .selectors import agreements_visible_to, placement_counts_query

DEFAULT_THRESHOLD = DEFAULT_IMBALANCE_THRESHOLD  # a balance row built without its agreements'


@dataclass(frozen=True)
class Scope:
    agreement_id: int | None = None
    agency_id: int | None = None  # None and no agreement: all agreements (administrators)
    first_year: int | None = None  # cohorts from this year...
    last_year: int | None = None  # ...to this one, included
    # Volunteers a direction may run behind; None: each agreement's own (the pair's strictest).
    threshold: int | None = None


class QuotaRow(NamedTuple):
    """One quota's line, its fields in the order of the CSV's columns (written as they are)."""

    agreement: str
    cohort: int
    sending: str
    receiving: str
    places: int
    nominated: int
    confirmed: int
    declined: int
    deployed: int
    completed: int
    withdrawn: int
    remaining: int
    use_rate: int | None  # percent of the places used; None without places


@dataclass
class BalanceRow:
    first: str
    second: str
    sent: int  # first → second
    hosted: int  # second → first
    threshold: int = DEFAULT_THRESHOLD  # the strictest of the pair's agreements in the scope

    @property
    def difference(self) -> int:
        return self.sent - self.hosted


@dataclass
class QuotaReport:
    title: str
    scope: Scope
    generated_at: datetime.datetime
    rows: list[QuotaRow] = field(default_factory=list)
    balances: list[BalanceRow] = field(default_factory=list)

    def flagged(self, balance: BalanceRow) -> bool:
        threshold = self.scope.threshold
        return abs(balance.difference) > (balance.threshold if threshold is None else threshold)


def _quotas(scope: Scope) -> QuerySet[Quota]:
    quotas = Quota.objects.all()
    if scope.agreement_id:
        quotas = quotas.filter(agreement_id=scope.agreement_id)
    elif scope.agency_id:
        quotas = quotas.filter(
            Q(agreement__party_a=scope.agency_id) | Q(agreement__party_b=scope.agency_id)
        )
    if scope.first_year:
        quotas = quotas.filter(cohort__gte=scope.first_year)
    if scope.last_year:
        quotas = quotas.filter(cohort__lte=scope.last_year)
    return quotas


def _quota_rows(scope: Scope) -> list[tuple]:
    """Each quota of the scope with its placement counts, in the report's order: one query,
    read as plain tuples (Django's per-value converters would double the time of 120,000
    rows; there is nothing to convert). The rows of an amendment not approved yet are left
    out: no place of them is agreed, and none can be taken."""
    quotas = _quotas(scope)
    everything = not (scope.agreement_id or scope.agency_id or scope.first_year or scope.last_year)
    rows = quotas.exclude(pending_quota_q()).annotate(
        quota_pk=F("pk"),
        reference=F("agreement__reference"),
        sending_name=F("sending__acronym"),
        receiving_name=F("receiving__acronym"),
        threshold=binding_threshold("agreement__"),
    ).values_list(
        "quota_pk", "reference", "cohort", "sending_name", "receiving_name", "places",
        "approved_places", "threshold",
    )  # fmt: skip
    counts = placement_counts_query(quotas=None if everything else quotas)
    rows_sql, rows_params = rows.order_by().query.sql_with_params()
    counts_sql, counts_params = counts.query.sql_with_params()
    n = ", ".join(
        f"COALESCE(c.{name}, 0)"
        for name in ("nominated", "confirmed", "declined", "deployed", "completed", "withdrawn")
    )
    sql = (
        "SELECT r.reference, r.cohort, r.sending_name, r.receiving_name, r.places,"  # noqa: S608
        f" r.approved_places, {n}, r.threshold FROM ({rows_sql}) r LEFT JOIN ({counts_sql}) c"
        " ON c.quota_id = r.quota_pk ORDER BY r.reference, r.cohort, r.sending_name"
    )  # both parts are Django's SQL, their values passed as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, *counts_params])
        return cursor.fetchall()


def build_quota_report(*, scope: Scope, title: str) -> QuotaReport:
    report = QuotaReport(title=title, scope=scope, generated_at=timezone.now())
    sent: dict[tuple[str, str], int] = defaultdict(int)
    thresholds: dict[tuple[str, str], int] = {}
    append, make = report.rows.append, QuotaRow._make
    # A tight loop: 120,000 rows for all agreements.
    for row in _quota_rows(scope):
        (reference, cohort, sending, receiving, places, approved, nominated,
         confirmed, declined, deployed, completed, withdrawn, threshold) = row  # fmt: skip
        binding = places if approved is None else approved  # None: never approved
        used = confirmed + deployed + completed
        rate = round(100 * used / binding) if binding else None
        append(
            make((reference, cohort, sending, receiving, binding, nominated, confirmed,
                  declined, deployed, completed, withdrawn, binding - used, rate))
        )  # fmt: skip
        sent[sending, receiving] += used
        pair = (sending, receiving) if sending < receiving else (receiving, sending)
        thresholds[pair] = min(threshold, thresholds.get(pair, threshold))
    # Volunteers sent per direction, paired (a few rows per pair of agencies).
    for first, second in sorted({tuple(sorted(pair)) for pair in sent}):
        report.balances.append(
            BalanceRow(
                first,
                second,
                sent.get((first, second), 0),
                sent.get((second, first), 0),
                thresholds[first, second],
            )
        )
    return report


COLUMNS = [
    ("agreement", "Agreement"),
    ("cohort", "Cohort"),
    ("sending", "Sending agency"),
    ("receiving", "Receiving agency"),
    ("places", "Places"),
    ("nominated", "Nominated"),
    ("confirmed", "Confirmed"),
    ("declined", "Declined"),
    ("deployed", "Deployed"),
    ("completed", "Completed"),
    ("withdrawn", "Withdrawn"),
    ("remaining", "Remaining"),
    ("use_rate", "Use rate (%)"),
]


def column_labels() -> list[str]:
    labels = {
        "Agreement": _("Agreement"),
        "Cohort": _("Cohort"),
        "Sending agency": _("Sending agency"),
        "Receiving agency": _("Receiving agency"),
        "Places": _("Places"),
        # Counts of placements, plural headers: in context, as the same English words are
        # statuses elsewhere ("Deployed", a volunteer's), singular in other languages.
        "Nominated": pgettext("quota figures", "Nominated"),
        "Confirmed": pgettext("quota figures", "Confirmed"),
        "Declined": pgettext("quota figures", "Declined"),
        "Deployed": pgettext("quota figures", "Deployed"),
        "Completed": pgettext("quota figures", "Completed"),
        "Withdrawn": pgettext("quota figures", "Withdrawn"),
        "Remaining": _("Remaining"),
        "Use rate (%)": _("Use rate (%)"),
    }
    return [labels[label] for _key, label in COLUMNS]


def render_csv(report: QuotaReport, *, language: str = "fr", delimiter: str = "") -> bytes:
    """UTF-8 with a BOM so that spreadsheets read the accents; the separator of the language
    (``core.csv.delimiter_for``: ``;`` in French) unless one was chosen. Names
    (agreements, cohorts, agencies) are neutralised against formula injection (``core.csv``)."""
    out = io.StringIO()
    writer = safe_csv.writer(out, delimiter=safe_csv.delimiter_for(language, delimiter))
    with translation.override(language):
        # What the file covers, as the PDF's cover says it: a file of some cohorts, or flagged
        # at a chosen threshold, does not pass for the whole picture (walk 7, finding 2).
        writer.writerows([[line] for line in [report.title, *scope_sentences(report.scope)]])
        writer.writerow([])
        writer.writerow(column_labels())
        writer.writerows(report.rows)  # QuotaRow's fields are the columns; None is written ""
        writer.writerow([])
        writer.writerow(
            [_("Agency"), _("Partner agency"), _("Sent"), _("Hosted"), _("Difference"),
             _("Threshold"), _("Flag")]
        )  # fmt: skip
        chosen = report.scope.threshold
        for b in report.balances:
            flag = _("imbalance") if report.flagged(b) else ""
            threshold = b.threshold if chosen is None else chosen
            writer.writerow([b.first, b.second, b.sent, b.hosted, b.difference, threshold, flag])
    return (safe_csv.BOM + out.getvalue()).encode("utf-8")


def cohorts_sentence(first: int | None, last: int | None) -> str:
    """The cohorts a report covers, in the active language (the PDF's cover, the CSV's head,
    the report's page)."""
    if first and last:
        return _("Cohorts %(first)s to %(last)s.") % {"first": first, "last": last}
    if first:
        return _("Cohorts from %(first)s on.") % {"first": first}
    if last:
        return _("Cohorts up to %(last)s.") % {"last": last}
    return _("All cohorts.")


def threshold_sentence(threshold: int | None) -> str:
    """When a direction is flagged: each agreement's threshold, or the one asked for."""
    if threshold is None:
        return _(
            "A direction is flagged when it runs behind the other by more than its agreement’s "
            "threshold (the strictest of a pair’s agreements, shown in the balance)."
        )
    return ngettext(
        "A direction is flagged when it runs more than %(threshold)d volunteer behind the other.",
        "A direction is flagged when it runs more than %(threshold)d volunteers behind the other.",
        threshold,
    ) % {"threshold": threshold}


def scope_sentences(scope: Scope) -> list[str]:
    return [
        cohorts_sentence(scope.first_year, scope.last_year),
        threshold_sentence(scope.threshold),
    ]


def describe(report, *, short: bool = False) -> list[str]:
    """The report's parameters in the active language, for its page (the scope, the cohorts and
    the threshold) and, ``short``, for its row in the list (only the cohorts and the threshold
    asked for: nothing for a whole report). ``reports.services.DESCRIBERS`` calls it. Reads
    only the row and its agreement or agency: no query once those are loaded."""
    scope = scope_of(report)
    if short:
        return [
            *(
                [cohorts_sentence(scope.first_year, scope.last_year)]
                if scope.first_year or scope.last_year
                else []
            ),
            *([threshold_sentence(scope.threshold)] if scope.threshold is not None else []),
        ]
    if report.agreement_id:
        title = _("Quota report — %(scope)s") % {"scope": report.agreement.reference}
    elif report.agency_id:
        title = _("Quota report — agreements %(of_scope)s") % {
            "of_scope": of_agency(report.agency.acronym)
        }
    else:
        title = _("Quota report — all agreements")
    return [title, *scope_sentences(scope)]


PDF_ROWS = 200  # quota rows, then pairs of agencies, drawn in a PDF; the CSV has them all


def render_html(report: QuotaReport, *, language: str = "fr") -> str:
    """The PDF's HTML. A PDF is read, not searched: past ``PDF_ROWS`` rows (an agency with
    thousands of quotas, all agreements) it shows the first ones and the imbalances first,
    and says that the CSV has every row. WeasyPrint lays out about two pages a second."""
    balances = sorted(report.balances, key=lambda b: not report.flagged(b))
    with translation.override(language):
        pairs = report.balances[:12]
        chart = grouped_bars(
            [f"{b.first}–{b.second}" for b in pairs],
            [
                Series(_("Sent"), [b.sent for b in pairs]),
                Series(_("Hosted"), [b.hosted for b in pairs]),
            ],
            title=_("Reciprocity balance"),
        )
        return render_to_string(
            "exchanges/quota_report_pdf.html",
            {
                "report": report,
                "rows": report.rows[:PDF_ROWS],
                "language": language,
                "columns": column_labels(),
                "balances": [(b, report.flagged(b)) for b in balances[:PDF_ROWS]],
                "limit": PDF_ROWS,
                "chart": chart,
                "scope_sentences": scope_sentences(report.scope),
            },
        )


# --- Reports: the builder, on-demand requests, the monthly run -------------------------------


def scope_of(report) -> Scope:
    return Scope(
        agreement_id=report.agreement_id,
        agency_id=None if report.agreement_id else report.agency_id,
        first_year=report.period_start.year if report.period_start else None,
        last_year=report.period_end.year if report.period_end else None,
        threshold=_threshold(report.params),
    )


def _threshold(params: dict) -> int | None:
    """The threshold a report was asked with; None (absent or empty): each agreement's own."""
    value = params.get("threshold")
    return None if value in (None, "") else int(value)


def title_of(report) -> str:
    with translation.override(report.language):
        return describe(report)[0]


def _filtered_name(scope: Scope) -> str:
    """What a file name adds for a report of some cohorts or with a chosen threshold, so that
    it is not taken for the whole report of the same day ("" for the whole report)."""
    first, last = scope.first_year, scope.last_year
    parts = []
    if first and last:
        parts.append(
            pgettext("file name", "cohorts-%(first)s-%(last)s") % {"first": first, "last": last}
        )
    elif first:
        parts.append(pgettext("file name", "cohorts-from-%(first)s") % {"first": first})
    elif last:
        parts.append(pgettext("file name", "cohorts-to-%(last)s") % {"last": last})
    if scope.threshold is not None:
        parts.append(
            pgettext("file name", "threshold-%(threshold)s") % {"threshold": scope.threshold}
        )
    return "".join(f"-{part}" for part in parts)


def build(report) -> tuple[bytes, str]:
    """The ``reports`` builder for quota reports: (content, file name)."""
    scope = scope_of(report)
    data = build_quota_report(scope=scope, title=title_of(report))
    label = (
        report.agreement.reference
        if report.agreement_id
        else report.agency.acronym
        if report.agency_id
        else "all"
    )
    with translation.override(report.language):
        label = download_name(label + _filtered_name(scope))
    stamp = timezone.localdate().isoformat()
    if report.format == "csv":
        delimiter = report.params.get("delimiter") or ""
        content = render_csv(data, language=report.language, delimiter=delimiter)
        return content, f"quotas-{label}-{stamp}.csv"
    return render_pdf(render_html(data, language=report.language)), f"quotas-{label}-{stamp}.pdf"


def quota_report_request(
    *,
    user,
    agreement=None,
    agency=None,
    file_format: str = "pdf",
    language: str = "fr",
    first_year: int | None = None,
    last_year: int | None = None,
    threshold: int | None = None,
    delimiter: str = "",
):
    """Record a quota report and enqueue it. The scope must be one the user may see (checked
    by the view with the same rules as the download). ``threshold`` None: each agreement's
    own (``Agreement.imbalance_threshold``)."""
    return report_request(
        kind=Report.Kind.QUOTA,
        user=user,
        language=language,
        format=file_format,
        agreement=agreement,
        agency=None if agreement else agency,
        period_start=datetime.date(first_year, 1, 1) if first_year else None,
        period_end=datetime.date(last_year, 12, 31) if last_year else None,
        params={"threshold": threshold, "delimiter": delimiter},
    )


def quota_report_scope(*, user, scope: str, agreement_id: int | None, acting_agency):
    """The ``(agreement, agency)`` a quota report of ``scope`` covers, under the rules of the
    download: an agreement the user sees (404 otherwise), the acting agency (403 without one),
    every agreement for administrators only (403). The reports page and the API ask this."""
    if scope == "agreement":
        return get_object_or_404(agreements_visible_to(user), pk=agreement_id), None
    if scope == "agency":
        if acting_agency is None:
            raise PermissionDenied
        return None, acting_agency
    if not access.is_admin(user):
        raise PermissionDenied
    return None, None


def month_reported(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month a run on ``today`` reports: the month before (the run of 1 March reports
    February), as its first and last days."""
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def quota_reports_monthly(*, today: datetime.date | None = None, file_format: str = "") -> int:
    """The first-of-the-month run (Celery beat): the report of each agreement in force during the
    month reported (``month_reported``) and of each agency party to one; the number recorded.

    Each report is recorded once per month, even if the schedule fires twice or two runs race:
    the database refuses a second row (``report_scheduled_once_*`` constraints) and the insert
    skips it. CSV unless ``file_format`` or the setting ``QUOTA_REPORTS_MONTHLY_FORMAT`` asks
    for PDF (thousands of PDFs take hours of worker time).
    """
    first, last = month_reported(today or timezone.localdate())
    file_format = Report.Format(file_format or settings.QUOTA_REPORTS_MONTHLY_FORMAT.lower())
    in_force = Agreement.objects.filter(in_force_q(first, last))
    parties = Agency.objects.filter(
        Q(agreements_as_a__in=in_force) | Q(agreements_as_b__in=in_force)
    ).distinct()
    run = uuid.uuid4().hex  # tells this run's rows from another's
    # No separator chosen: the report's language decides (core.csv.delimiter_for).
    # No threshold: each agreement's own.
    params = {"threshold": None, "delimiter": "", "run": run}
    common = {"kind": Report.Kind.QUOTA, "format": file_format, "scheduled_for": first}
    reports = [Report(agency=agency, params=params, **common) for agency in parties]
    reports += [
        Report(agreement_id=pk, params=params, **common)
        for pk in in_force.values_list("pk", flat=True).iterator()
    ]
    # ON CONFLICT DO NOTHING (PostgreSQL) / INSERT OR IGNORE (SQLite): the rows another run has
    # recorded already are skipped, not duplicated, and do not fail the rest.
    Report.objects.bulk_create(reports, batch_size=1000, ignore_conflicts=True)
    recorded = Report.objects.filter(
        kind=Report.Kind.QUOTA, scheduled_for=first, params__run=run
    ).count()
    # Enqueued by the sweep, which runs every few minutes: thousands of rows are not sent from
    # one beat task, and a broker hiccup loses nothing.
    reports_sweep(older_than=datetime.timedelta(0))
    return recorded
