"""Writing evaluations: drafts, publication (frozen text, a French PDF requested), corrections
as new versions, and the follow-up of recommendations (which goes on after publication)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.dates import check_dates
from core.errors import DomainError
from core.languages import preferred_language
from exchanges.models import Quota
from reports.models import Report
from reports.services import report_request

from .models import Evaluation, Finding, Score
from .selectors import evaluation_figures

CORRECTION_AGREEMENT = _("A correction evaluates the agreement of the version it corrects.")
OWNER_NOT_A_PARTY = _("The owner of a recommendation must be a party of the evaluated agreement.")

TEXT_FIELDS = [
    "agreement",
    "cohort",
    "agency",
    "title",
    "period_start",
    "period_end",
    "visit_start",
    "visit_end",
    "visit_place",
    "participants",
    "context",
    "method",
    "summary",
]


def check_author(evaluation: Evaluation) -> None:
    agreement = evaluation.agreement
    if evaluation.agency_id not in (agreement.party_a_id, agreement.party_b_id):
        raise DomainError(_("The authoring agency must be a party of the agreement."))


def check_cohort(evaluation: Evaluation) -> None:
    """The cohort is a year the agreement has quotas for: the evaluation's page, figures and
    report read that cohort's quotas and placements."""
    evaluation.cohort = str(evaluation.cohort).strip()
    years = sorted(
        set(
            Quota.objects.filter(agreement_id=evaluation.agreement_id).values_list(
                "cohort", flat=True
            )
        )
    )
    if evaluation.cohort in {str(year) for year in years}:
        return
    if not years:
        raise DomainError(_("This agreement has no quota yet: no cohort to evaluate."))
    raise DomainError(
        _("The agreement has no quota for the cohort “%(cohort)s”: choose one of %(years)s.")
        % {"cohort": evaluation.cohort, "years": ", ".join(str(year) for year in years)},
        field="cohort",
    )


def check_evaluable(evaluation: Evaluation) -> None:
    """An agreement both parties approved at least once (a draft exchanged no one), over a
    period that meets the agreement's."""
    agreement = evaluation.agreement
    if agreement.last_approved_version_id is None:
        raise DomainError(
            _(
                "This agreement was never approved by both parties: there is no exchange to "
                "evaluate yet."
            ),
            field="agreement",
        )
    start, end = evaluation.period_start, evaluation.period_end
    if start and end and (end < agreement.start_date or start > agreement.end_date):
        raise DomainError(
            _("The period covered must meet the agreement's (%(from)s – %(to)s).")
            % {
                "from": date_format(agreement.start_date, "SHORT_DATE_FORMAT"),
                "to": date_format(agreement.end_date, "SHORT_DATE_FORMAT"),
            },
            field="period_start",
        )


def _check_dates(evaluation: Evaluation, findings: list[Finding]) -> None:
    check_dates(
        period_start=evaluation.period_start,
        period_end=evaluation.period_end,
        visit_start=evaluation.visit_start,
        visit_end=evaluation.visit_end,
    )
    check_evaluable(evaluation)
    for finding in findings:
        check_dates(due_date=finding.due_date)


def check_owners(evaluation: Evaluation, findings: list[Finding]) -> None:
    """A recommendation is owned by a party of the evaluated agreement: no other agency sees
    the evaluation (the database refuses the rest too)."""
    parties = (evaluation.agreement.party_a_id, evaluation.agreement.party_b_id)
    if any(item.owner_id is not None and item.owner_id not in parties for item in findings):
        raise DomainError(OWNER_NOT_A_PARTY, field="owner")


def _replace_children(evaluation, scores: list[Score], findings: list[Finding]) -> None:
    check_owners(evaluation, findings)
    evaluation.scores.all().delete()
    evaluation.findings.all().delete()
    for item in scores:
        item.pk, item.evaluation = None, evaluation
        item.full_clean(exclude=["evaluation"])
        item.save()
    for item in findings:
        item.pk, item.evaluation = None, evaluation
        if item.is_recommendation and not item.follow_up:
            item.follow_up = Finding.FollowUp.OPEN
        item.full_clean(exclude=["evaluation"])
        item.save()


@transaction.atomic
def evaluation_create(
    *, evaluation: Evaluation, scores: list[Score], findings: list[Finding], user
) -> Evaluation:
    check_author(evaluation)
    check_cohort(evaluation)
    _check_dates(evaluation, findings)
    evaluation.status = Evaluation.Status.DRAFT
    evaluation.created_by = user
    evaluation.full_clean()
    evaluation.save()
    _replace_children(evaluation, scores, findings)
    return evaluation


@transaction.atomic
def evaluation_update(
    *, evaluation: Evaluation, scores: list[Score], findings: list[Finding], user
) -> Evaluation:
    """Save a draft. A published text is frozen: the stored row decides, not the instance."""
    stored = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if stored.is_published:
        raise DomainError(_("A published evaluation is frozen: make a new version to correct it."))
    if stored.previous_id and evaluation.agreement_id != stored.previous.agreement_id:
        raise DomainError(CORRECTION_AGREEMENT)
    check_author(evaluation)
    check_cohort(evaluation)
    _check_dates(evaluation, findings)
    evaluation.status = Evaluation.Status.DRAFT
    evaluation.full_clean()
    evaluation.save()
    _replace_children(evaluation, scores, findings)
    return evaluation


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, user) -> Report:
    """Publish a draft, freezing its figures, and request its French PDF (rendered by a task
    after commit)."""
    stored = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if stored.is_published:
        raise DomainError(_("This evaluation is already published."))
    if stored.previous_id and not stored.previous.is_published:
        raise DomainError(_("The version it corrects is not published."))
    stored.status = Evaluation.Status.PUBLISHED
    stored.published_at = timezone.now()
    stored.published_by = user
    # Frozen with the version: its page and its PDF show the figures as of now, forever.
    stored.figures = evaluation_figures(evaluation=stored)
    stored.full_clean()
    stored.save()
    evaluation.refresh_from_db()
    # The platform asks for this one by itself: it does not count towards the user's rate.
    return evaluation_request_report(
        evaluation=stored, user=user, language=preferred_language(user), rate_limited=False
    )


def evaluation_request_report(
    *, evaluation: Evaluation, user, language: str, rate_limited: bool = True
) -> Report:
    if not evaluation.is_published:
        raise DomainError(_("Only a published evaluation has a report."))
    return report_request(
        kind=Report.Kind.EVALUATION,
        user=user,
        language=language,
        agreement=evaluation.agreement,
        evaluation=evaluation,
        period_start=evaluation.period_start,
        period_end=evaluation.period_end,
        rate_limited=rate_limited,
    )


@transaction.atomic
def evaluation_new_version(*, evaluation: Evaluation, user) -> Evaluation:
    """A correction of a published evaluation: a draft copying its text, scores and findings."""
    stored = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not stored.is_published:
        raise DomainError(_("Only a published evaluation can be corrected."))
    if Evaluation.objects.filter(previous=stored).exists():
        raise DomainError(_("This version already has a correction."))
    copy = Evaluation(
        **{f: getattr(stored, f) for f in TEXT_FIELDS},
        version=stored.version + 1,
        previous=stored,
        created_by=user,
    )
    copy.full_clean()
    copy.save()
    Score.objects.bulk_create(
        Score(evaluation=copy, criterion=s.criterion, value=s.value, comment=s.comment)
        for s in stored.scores.all()
    )
    Finding.objects.bulk_create(
        Finding(
            evaluation=copy,
            axis=f.axis,
            kind=f.kind,
            order=f.order,
            text=f.text,
            owner_id=f.owner_id,
            due_date=f.due_date,
            follow_up=f.follow_up,
        )
        for f in stored.findings.all()
    )
    return copy


@transaction.atomic
def recommendation_set_status(*, finding: Finding, status: str, user) -> Finding:
    """The follow-up status of a recommendation changes, published or not."""
    if not finding.is_recommendation:
        raise DomainError(_("Only a recommendation has a follow-up status."))
    if status not in Finding.FollowUp.values:
        raise DomainError(_("Unknown follow-up status."))
    finding.follow_up = status
    finding.full_clean()
    finding.save(update_fields=["follow_up"])
    return finding
