"""Writes on agreements: every change of substance goes through here, so that it is versioned.

Views check who may act (``agencies.rules``); these functions check what may happen (the lifecycle,
the quotas' directions, which version is approved) and raise ``DomainError`` with a message
for the user when it may not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies import rules as access
from agencies.models import Agency, Theme
from core.errors import DomainError
from core.integrity import refused_if_taken
from core.texts import of_agency

from . import notifications, selectors
from .models import Agreement, AgreementStatus, AgreementVersion, Approval, Quota, cohort_error
from .versions import canonical_json, matches, render_substance, sha256_of

Status = AgreementStatus


@dataclass(frozen=True)
class QuotaData:
    cohort: int
    sending_id: int
    receiving_id: int
    places: int
    duration_months: int | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.cohort, self.sending_id, self.receiving_id)


# --- Versions -------------------------------------------------------------------------------


def agreement_record_version(*, agreement: Agreement, user=None) -> AgreementVersion | None:
    """Render the saved substance; if it differs from the current version, add a version.

    Returns the new version, or None when the substance did not change. Approvals belong to a
    version, so a new version has none: both parties must approve it again. The caller holds a
    lock on the agreement row (numbers are sequential per agreement).
    """
    current = agreement.current_version
    if current is not None and matches(agreement, current):
        # Unchanged, even if the current version was rendered in an older format.
        return None
    canonical = canonical_json(render_substance(agreement))
    digest = sha256_of(canonical)
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=(current.number + 1) if current else 1,
        canonical=canonical,
        sha256=digest,
        created_by=user if user and user.is_authenticated else None,
    )
    agreement.current_version = version
    Agreement.objects.filter(pk=agreement.pk).update(current_version=version)
    return version


def _locked(agreement: Agreement) -> Agreement:
    """The agreement re-read under a row lock: concurrent approvals and edits queue up."""
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("party_a", "party_b", "current_version")
        .get(pk=agreement.pk)
    )


# --- Creating and changing ------------------------------------------------------------------


def _check_quotas(agreement: Agreement, quotas: list[QuotaData]) -> None:
    parties = set(agreement.party_ids)
    seen = set()
    for quota in quotas:
        if {quota.sending_id, quota.receiving_id} != parties:
            raise DomainError(_("A quota goes from one party of the agreement to the other party."))
        if quota.places < 0:
            raise DomainError(_("The number of places cannot be negative."))
        if not isinstance(quota.cohort, int):
            raise DomainError(_("Each quota needs a cohort."))
        # A cohort is a year of the agreement's period (the form says it first).
        message = cohort_error(quota.cohort, agreement.start_date, agreement.end_date)
        if message:
            raise DomainError(message)
        if quota.key in seen:
            raise DomainError(
                _("Cohort %(cohort)s has two quotas in the same direction.")
                % {"cohort": quota.cohort}
            )
        seen.add(quota.key)
        shortest, longest = agreement.min_duration_months, agreement.max_duration_months
        if quota.duration_months is not None and not shortest <= quota.duration_months <= longest:
            raise DomainError(
                _(
                    "Cohort %(cohort)s: a quota's mission duration lies within the "
                    "agreement's, from %(min)d to %(max)d months."
                )
                % {"cohort": quota.cohort, "min": shortest, "max": longest}
            )


def check_quota_row(agreement: Agreement, quota: QuotaData, *, pk: int | None = None) -> None:
    """One quota written on its own (the admin): the rules of an agreement's quotas, and no
    fewer places than its placements took."""
    _check_quotas(agreement, [quota])
    taken = selectors.counts_of([pk]) if pk is not None else {}
    used = taken[pk].used if pk in taken else 0
    if quota.places < used:
        raise _fewer_than_taken(quota.cohort, quota.sending_id, quota.receiving_id, used)


def _fewer_than_taken(cohort: int, sending_id: int, receiving_id: int, used: int) -> DomainError:
    acronyms = dict(
        Agency.objects.filter(pk__in=[sending_id, receiving_id]).values_list("pk", "acronym")
    )
    return DomainError(
        ngettext(
            "Cohort %(cohort)s, %(sending)s → %(receiving)s: %(used)d place is taken "
            "already, the quota cannot have fewer.",
            "Cohort %(cohort)s, %(sending)s → %(receiving)s: %(used)d places are taken "
            "already, the quota cannot have fewer.",
            used,
        )
        % {
            "cohort": cohort,
            "sending": acronyms.get(sending_id, ""),
            "receiving": acronyms.get(receiving_id, ""),
            "used": used,
        },
        field="places",
    )


def _check_places_taken(agreement: Agreement, places: dict[tuple[int, int, int], int]) -> None:
    """No quota below the places its placements took (confirmed, deployed or completed):
    ``places`` by (cohort, sending, receiving), a quota left out having none. The quotas' rows
    are locked, as a confirmation locks its quota's: none is confirmed in between."""
    quotas = list(agreement.quotas.select_for_update().select_related("sending", "receiving"))
    taken = selectors.counts_of([q.pk for q in quotas])
    for quota in quotas:
        used = taken[quota.pk].used if quota.pk in taken else 0
        wanted = places.get((quota.cohort, quota.sending_id, quota.receiving_id), 0)
        if wanted < used:
            raise _fewer_than_taken(quota.cohort, quota.sending_id, quota.receiving_id, used)


def _save_quotas(agreement: Agreement, quotas: list[QuotaData]) -> None:
    """Make the agreement's quotas those of ``quotas`` (keyed by cohort and direction).

    A quota that is part of the last approved version is not deleted when it disappears from
    the new text: it stays with 0 places, because placements may run under its approved places
    until the new version is approved.
    """
    wanted = {q.key: q for q in quotas}
    existing = {(q.cohort, q.sending_id, q.receiving_id): q for q in agreement.quotas.all()}
    for key, quota in existing.items():
        if key in wanted:
            data = wanted[key]
            if (quota.places, quota.duration_months) != (data.places, data.duration_months):
                quota.places, quota.duration_months = data.places, data.duration_months
                quota.full_clean()
                quota.save()
        elif quota.approved_places:
            if quota.places:
                quota.places = 0
                quota.save()
        else:
            quota.delete()
    for key, data in wanted.items():
        if key not in existing:
            quota = Quota(
                agreement=agreement,
                cohort=data.cohort,
                sending_id=data.sending_id,
                receiving_id=data.receiving_id,
                places=data.places,
                duration_months=data.duration_months,
            )
            quota.full_clean()
            quota.save()


def _full_clean(agreement: Agreement) -> None:
    try:
        agreement.full_clean(exclude=["current_version", "last_approved_version"])
    except ValidationError as exc:
        fields = [f for f in getattr(exc, "error_dict", {}) if f != NON_FIELD_ERRORS]
        field = fields[0] if len(fields) == 1 else None
        raise DomainError(" ".join(exc.messages), field=field) from exc


@transaction.atomic
def agreement_create(
    *,
    agreement: Agreement,
    themes: Iterable[Theme],
    quotas: list[QuotaData],
    user,
) -> Agreement:
    """Save a new draft (``agreement`` unsaved, with both parties set) and its version 1."""
    if agreement.party_a_id == agreement.party_b_id:
        raise DomainError(_("An agreement is between two different agencies."))
    agreement.status = Status.DRAFT
    agreement.created_by = user
    _full_clean(agreement)
    _check_quotas(agreement, quotas)
    with refused_if_taken(agreement):  # the same reference sent twice at the same moment
        agreement.save()
    agreement.themes.set(themes)
    _save_quotas(agreement, quotas)
    agreement_record_version(agreement=agreement, user=user)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    themes: Iterable[Theme],
    quotas: list[QuotaData],
    user,
    by_agency: Agency | None = None,
    base_url: str = "",
) -> AgreementVersion | None:
    """Save changes (``agreement`` carries the new field values); version them if substantial.

    Returns the new version if the substance changed. The parties stay the same: an agreement
    with another agency is another agreement.
    """
    locked = _locked(agreement)
    if not locked.is_editable:
        raise DomainError(_("This agreement is closed or terminated: it can no longer change."))
    if agreement.party_ids != locked.party_ids:
        raise DomainError(_("The parties of an agreement cannot change."))
    agreement.status = locked.status
    agreement.current_version = locked.current_version
    agreement.last_approved_version_id = locked.last_approved_version_id
    _full_clean(agreement)
    _check_quotas(agreement, quotas)
    _check_places_taken(agreement, {q.key: q.places for q in quotas})
    with refused_if_taken(agreement):  # a reference taken in the meantime
        agreement.save()
    agreement.themes.set(themes)
    _save_quotas(agreement, quotas)
    version = agreement_record_version(agreement=agreement, user=user)
    if version is not None and agreement.status != Status.DRAFT:
        # The partner had been asked to approve, or had approved: tell them what they now
        # have to approve again.
        notifications.agreement_changed(agreement, version, by_agency=by_agency, base_url=base_url)
    return version


# --- Lifecycle ------------------------------------------------------------------------------


@transaction.atomic
def agreement_submit(
    *, agreement: Agreement, user, by_agency: Agency | None = None, base_url: str = ""
) -> Agreement:
    """Draft → awaiting the approval of both parties."""
    agreement = _locked(agreement)
    if agreement.status != Status.DRAFT:
        raise DomainError(_("Only a draft can be submitted for approval."))
    if not agreement.quotas.filter(places__gt=0).exists():
        raise DomainError(_("Give the agreement at least one quota with places first."))
    agreement.status = Status.SUBMITTED
    agreement.save(update_fields=["status", "updated_at"])
    notifications.agreement_awaits_approval(agreement, by_agency=by_agency, base_url=base_url)
    return agreement


@transaction.atomic
def agreement_approve(
    *, agreement: Agreement, version_number: int | None, agency: Agency, user, base_url: str = ""
) -> Approval:
    """``user`` approves, for ``agency`` (a party they manage), the version they read.

    Only the current version can be approved: if the text changed after the user read it, the
    approval is refused and they must read the new one. When both parties have approved the
    current version, it becomes the last approved version and its places bind placements.
    """
    agreement = _locked(agreement)
    # The rule the pages ask (agencies.rules.can_approve_for), refused with its reason.
    if not access.can_approve_for(user, agreement, agency.pk):
        refusal = agreement.approval_refusal(agency.pk, user=user)
        if agency.pk in agreement.party_ids and not access.has_role(
            user, agency.pk, access.APPROVE
        ):
            refusal = _("Only a manager %(of_agency)s may approve for it.") % {
                "of_agency": of_agency(agency.acronym)
            }
        raise DomainError(refusal)
    version = agreement.current_version
    if not isinstance(version_number, int) or version_number < 1:
        raise DomainError(
            _("The approval names no version: reload the agreement, read it and approve it.")
        )
    if version is None or version.number != version_number:
        raise DomainError(
            _(
                "Version %(number)s is not the current version of this agreement: read version "
                "%(current)s and approve it."
            )
            % {"number": version_number, "current": version.number if version else "—"}
        )
    if not matches(agreement, version):
        # A change that did not go through these services (a correction in the admin, say):
        # never approve a text that differs from the one displayed.
        raise DomainError(_("The agreement changed meanwhile: reload it and read it again."))
    approval = Approval(
        version=version, agency=agency, user=user, approved_at=timezone.now(), sha256=version.sha256
    )
    approval.full_clean()
    approval.save()
    approved_by = set(version.approvals.values_list("agency_id", flat=True))
    if approved_by == set(agreement.party_ids):
        # Placements confirmed since the text was written count too.
        _check_places_taken(
            agreement,
            {(q.cohort, q.sending_id, q.receiving_id): q.places for q in agreement.quotas.all()},
        )
        agreement.last_approved_version = version
        if agreement.status == Status.SUBMITTED:
            agreement.status = Status.APPROVED
        # From now on the alert and the quota report read this threshold...
        agreement.approved_imbalance_threshold = agreement.imbalance_threshold
        # ...nominations these rules...
        agreement.approved_rules = asdict(agreement.written_rules())
        agreement.save(
            update_fields=[
                "last_approved_version",
                "status",
                "approved_imbalance_threshold",
                "approved_rules",
                "updated_at",
            ]
        )
        # ...and placements count against these places.
        agreement.quotas.update(approved_places=F("places"))
        notifications.agreement_approved(agreement, by_agency=agency, base_url=base_url)
    else:
        notifications.agreement_awaits_approval(agreement, by_agency=agency, base_url=base_url)
    return approval


def _set_status(agreement, status, reason, user, by_agency, base_url):
    agreement.status = status
    agreement.status_reason = reason
    agreement.save(update_fields=["status", "status_reason", "updated_at"])
    notifications.agreement_status_changed(agreement, by_agency=by_agency, base_url=base_url)
    return agreement


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give a reason."))
    return reason


@transaction.atomic
def agreement_suspend(
    *, agreement: Agreement, reason: str, user, by_agency: Agency | None = None, base_url=""
) -> Agreement:
    agreement = _locked(agreement)
    reason = _required_reason(reason)
    if agreement.phase not in {Status.APPROVED, Status.ACTIVE}:
        raise DomainError(_("Only an approved agreement in force can be suspended."))
    return _set_status(agreement, Status.SUSPENDED, reason, user, by_agency, base_url)


@transaction.atomic
def agreement_resume(
    *, agreement: Agreement, user, by_agency: Agency | None = None, base_url=""
) -> Agreement:
    agreement = _locked(agreement)
    if agreement.status != Status.SUSPENDED:
        raise DomainError(_("Only a suspended agreement can be resumed."))
    return _set_status(agreement, Status.APPROVED, "", user, by_agency, base_url)


@transaction.atomic
def agreement_terminate(
    *, agreement: Agreement, reason: str, user, by_agency: Agency | None = None, base_url=""
) -> Agreement:
    agreement = _locked(agreement)
    reason = _required_reason(reason)
    if not agreement.is_editable:
        raise DomainError(_("This agreement is already closed or terminated."))
    return _set_status(agreement, Status.TERMINATED, reason, user, by_agency, base_url)
