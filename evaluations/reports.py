"""The evaluation PDF: built from one published version, in the language the reader chose, with
the figures frozen at its publication (``selectors.figures_of``): the same text forever."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.files import download_name
from reports.charts import horizontal_bars
from reports.pdf import render_pdf

from .models import Criterion, Evaluation, Finding
from .selectors import figures_of, findings_by_axis


def render_evaluation_html(evaluation: Evaluation, language: str) -> str:
    with translation.override(language):
        scores = {s.criterion: s for s in evaluation.scores.all()}
        findings = list(evaluation.findings.select_related("owner"))
        figures = figures_of(evaluation=evaluation)
        for finding in findings:
            finding.status_shown = figures.recommendation_status.get(
                finding.pk, finding.get_follow_up_display()
            )
        chart = horizontal_bars(
            [
                (str(c.label), scores[c.value].value if c.value in scores else None)
                for c in Criterion
            ],
            maximum=5,
            title=_("Scores"),
        )
        context = {
            "language": language,
            "evaluation": evaluation,
            "agreement": evaluation.agreement,
            "scores": [(c.label, scores.get(c.value)) for c in Criterion],
            "chart": chart,
            "figures": figures,
            "axes": findings_by_axis(f for f in findings if not f.is_recommendation),
            # In the order of the axes, as the findings above and the evaluation's page.
            "recommendations": [
                f
                for _axis, group in findings_by_axis(
                    f for f in findings if f.kind == Finding.Kind.RECOMMENDATION
                )
                for f in group
            ],
        }
        return render_to_string("evaluations/report_pdf.html", context)


def build(report) -> tuple[bytes, str]:
    """The builder of ``reports`` for kind "evaluation": (PDF bytes, file name)."""
    evaluation = Evaluation.objects.select_related(
        "agreement__party_a", "agreement__party_b", "agency"
    ).get(pk=report.evaluation_id)
    pdf = render_pdf(render_evaluation_html(evaluation, report.language))
    name = f"{evaluation.agreement.reference}-{evaluation.cohort}"
    return pdf, download_name(f"evaluation-{name}-v{evaluation.version}-{report.language}.pdf")
