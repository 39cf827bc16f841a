"""Reports: rows point at the French PDF of the ANVT–CNPV pilot evaluation (rendered by
load_demo). Both parties download it; VASE gets 404."""

from django.urls import reverse

from reports.models import Report

from . import NOBODY, Row, everyone


def report():
    return Report.objects.get(evaluation__agreement__reference="VIR-TG-ML-2017", language="fr").pk


def url(name):
    return lambda: reverse(f"reports:{name}", args=[report()])


def past_the_report():
    from core.keyset import position_of
    from reports.selectors import REPORT_ORDER

    after = position_of(Report.objects.get(pk=report()), REPORT_ORDER)
    return f"{reverse('reports:index')}?after={after}"


def report_state():
    found = Report.objects.get(pk=report())
    return found.status, found.file.name, found.attempts, found.finished_at


READ = everyone(200, outsider=404)

ROWS = [
    Row("reports:index", lambda: reverse("reports:index"), everyone(200)),
    # A page past the count, after the pilot's report: what each persona may download after it.
    Row("reports:index", past_the_report, everyone(200), variant="past-the-count"),
    Row("reports:detail", url("detail"), READ),
    Row("reports:status", url("status"), READ),
    Row("reports:download", url("download"), READ),
    # The report is done, not failed: the retry is refused and the page shown again. Partners
    # (read-only) may not retry at all: 403.
    Row(
        "reports:retry",
        url("retry"),
        everyone(302, partner=403, outsider=404),
        method="post",
        effect=report_state,
        performed_by=NOBODY,
    ),
]
