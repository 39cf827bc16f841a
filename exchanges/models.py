import datetime
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import validate_date, validate_year
from core.links import pk_url
from core.models import QuickChoiceLabels
from core.texts import of_agency

from .validators import validate_pdf

# Volunteers a direction may run behind the other before it is flagged, unless an agreement
# sets its own (``Agreement.imbalance_threshold``).
DEFAULT_IMBALANCE_THRESHOLD = 2


def binding_threshold(prefix: str = ""):
    """SQL twin of ``Agreement.binding_imbalance_threshold`` (``prefix``: the path to the
    agreement, e.g. ``"agreement__"``)."""
    return Coalesce(f"{prefix}approved_imbalance_threshold", f"{prefix}imbalance_threshold")


def agreed_places_expr(prefix: str = "") -> Case:
    """SQL twin of ``Quota.agreed_places`` (``prefix``: the path to the quota, e.g.
    ``"quota__"``). Reads the quota's agreement (a join on its key)."""
    return Case(
        When(Q((f"{prefix}approved_places__isnull", False)), then=F(f"{prefix}approved_places")),
        When(
            Q((f"{prefix}agreement__last_approved_version__isnull", True)),
            then=F(f"{prefix}places"),
        ),
        default=Value(0),
    )


def pending_quota_q(prefix: str = "") -> Q:
    """SQL twin of ``Quota.is_pending``."""
    return Q((f"{prefix}approved_places__isnull", True)) & Q(
        (f"{prefix}agreement__last_approved_version__isnull", False)
    )


@dataclass(frozen=True)
class EligibilityRules:
    """The three eligibility figures of an agreement (``volunteers.eligibility.Rules`` takes
    the same keyword arguments: ``Rules(**dataclasses.asdict(rules))``)."""

    min_age: int
    max_age: int
    min_experience_days: int


class AgreementStatus(models.TextChoices):
    """What a user sees. Only DRAFT, SUBMITTED, APPROVED, SUSPENDED and TERMINATED are stored:
    ACTIVE and CLOSED are an approved agreement seen through the calendar (from its start date,
    after its end date), so no scheduled job has to move rows at midnight and the phase is never
    stale."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


STORED_STATUSES = [
    AgreementStatus.DRAFT,
    AgreementStatus.SUBMITTED,
    AgreementStatus.APPROVED,
    AgreementStatus.SUSPENDED,
    AgreementStatus.TERMINATED,
]


# An agreement's ``status`` is what is stored (draft, submitted, approved, suspended,
# terminated); its ``phase`` is what the status means on a date: an approved agreement is
# "approved" before its start, "active" during its period and "closed" after it.


def phase_of(status: str, start: datetime.date, end: datetime.date, today: datetime.date) -> str:
    """The phase of a stored status on ``today`` (the SQL twin is ``phase_q``)."""
    if status != AgreementStatus.APPROVED:
        return status
    if end < today:
        return AgreementStatus.CLOSED
    if start <= today:
        return AgreementStatus.ACTIVE
    return AgreementStatus.APPROVED


def phase_q(phase: str, today: datetime.date) -> Q:
    """Rows whose phase (see ``phase_of``) is ``phase`` on ``today``, as an indexable filter."""
    approved = Q(status=AgreementStatus.APPROVED)
    if phase == AgreementStatus.CLOSED:
        return approved & Q(end_date__lt=today)
    if phase == AgreementStatus.ACTIVE:
        return approved & Q(start_date__lte=today, end_date__gte=today)
    if phase == AgreementStatus.APPROVED:
        return approved & Q(start_date__gt=today)
    return Q(status=phase)


def in_force_q(first: datetime.date, last: datetime.date, prefix: str = "") -> Q:
    """Agreements in force (phase ``active``) on at least one day from ``first`` to ``last``:
    approved, their period overlapping those days. Closed, terminated, suspended and unapproved
    agreements are not. ``prefix``: the path to the agreement (``"agreement__"`` from a
    quota)."""
    return Q(
        **{
            f"{prefix}status": AgreementStatus.APPROVED,
            f"{prefix}start_date__lte": last,
            f"{prefix}end_date__gte": first,
        }
    )


class AgreementQuerySet(models.QuerySet):
    def in_phase(self, phase: str, today: datetime.date | None = None):
        return self.filter(phase_q(phase, today or timezone.localdate()))


def _document_path(instance, filename):
    # A random name: the file is private, and its name must not reveal or be guessed from the
    # agreement. Only the download view (which checks access) serves it.
    return f"agreements/{uuid.uuid4().hex}.pdf"


class Agreement(QuickChoiceLabels, models.Model):
    """A bilateral reciprocity agreement between two distinct agencies.

    Its *substance* (parties, dates, rules, themes, quotas...) is rendered canonically into an
    ``AgreementVersion`` whenever it changes; each party approves one version, identified by
    the SHA-256 of that rendering. ``last_approved_version`` is the version both parties
    approved most recently: placements run under it while a newer version awaits approval.
    """

    Status = AgreementStatus

    reference = models.CharField(
        _("reference"),
        max_length=50,
        unique=True,
        help_text=_("A unique code, e.g. VIR-TG-ML-2017."),
        error_messages={"unique": _("An agreement with this reference already exists.")},
    )
    title = models.CharField(_("title"), max_length=200)
    party_a = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("first party"),
        on_delete=models.PROTECT,
        related_name="agreements_as_a",
    )
    party_b = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("second party"),
        on_delete=models.PROTECT,
        related_name="agreements_as_b",
    )
    start_date = models.DateField(_("start date"), validators=[validate_date])
    end_date = models.DateField(_("end date"), validators=[validate_date])
    themes = models.ManyToManyField(
        "agencies.Theme", verbose_name=_("themes"), blank=True, related_name="agreements"
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), default=25, help_text=_("25 means “not yet 26” on the start date.")
    )
    # In days (two years: 730), as ``volunteers.eligibility`` counts them (README, "Domain").
    min_experience_days = models.PositiveSmallIntegerField(
        _("minimum volunteering experience (days)"),
        default=730,
        help_text=_("Days in the union of the volunteering periods; two years: 730."),
    )
    min_duration_months = models.PositiveSmallIntegerField(
        _("shortest mission (months)"), default=6, validators=[MinValueValidator(1)]
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("longest mission (months)"), default=12
    )
    # The imbalance alert and the quota report flag a direction running more than this many
    # volunteers behind the other (substance from format 3: both parties agree on it).
    imbalance_threshold = models.PositiveSmallIntegerField(
        _("imbalance threshold (volunteers)"),
        default=DEFAULT_IMBALANCE_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "A direction is flagged when it runs more than this many volunteers behind the other."
        ),
    )
    # The threshold of the last version both parties approved (None: none yet), which the alert
    # and the quota report read (``binding_threshold``), as placements read a quota's approved
    # places: a change awaiting approval binds no one.
    approved_imbalance_threshold = models.PositiveSmallIntegerField(
        _("approved imbalance threshold"), null=True, blank=True, editable=False
    )
    # The eligibility rules of the last version both parties approved (None: none yet), which
    # nominations are checked against (``eligibility_rules``): raised by one party, a maximum
    # age binds once the other has approved it too.
    approved_rules = models.JSONField(
        _("approved eligibility rules"), null=True, blank=True, editable=False
    )
    language_requirements = models.TextField(_("language requirements"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    document = models.FileField(
        _("signed document (PDF)"),
        upload_to=_document_path,
        blank=True,
        max_length=200,
        validators=[validate_pdf],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(status.value, status.label) for status in STORED_STATUSES],
        default=AgreementStatus.DRAFT,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    current_version = models.ForeignKey(
        "AgreementVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_approved_version = models.ForeignKey(
        "AgreementVersion",
        verbose_name=_("last approved version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-start_date", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(party_a=F("party_b")), name="agreement_two_distinct_parties"
            ),
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="agreement_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")), name="agreement_ages_in_order"
            ),
            models.CheckConstraint(
                condition=Q(min_duration_months__lte=F("max_duration_months")),
                name="agreement_durations_in_order",
            ),
            models.CheckConstraint(
                condition=Q(min_duration_months__gte=1),
                name="agreement_missions_last_a_month",
                violation_error_message=_("A mission lasts at least one month."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=STORED_STATUSES), name="agreement_stored_status"
            ),
            models.CheckConstraint(
                condition=Q(imbalance_threshold__gte=1),
                name="agreement_imbalance_threshold_positive",
            ),
            models.CheckConstraint(
                condition=Q(approved_imbalance_threshold__isnull=True)
                | Q(approved_imbalance_threshold__gte=1),
                name="agreement_approved_imbalance_threshold_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["-start_date", "reference"], name="agreement_list_order"),
            models.Index(fields=["status", "start_date", "end_date"], name="agreement_state"),
            # An agency's agreements from the index alone (semi-joins: reports, dashboards).
            models.Index(fields=["party_a", "id"], name="agreement_party_a_idx"),
            models.Index(fields=["party_b", "id"], name="agreement_party_b_idx"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return pk_url("exchanges:detail", self.pk)

    @property
    def parties(self):
        return (self.party_a, self.party_b)

    @property
    def party_ids(self) -> tuple[int, int]:
        return (self.party_a_id, self.party_b_id)

    def partner_of(self, agency_id: int):
        """The other party, seen from ``agency_id`` (one of the two)."""
        return self.party_b if agency_id == self.party_a_id else self.party_a

    @property
    def phase(self) -> str:
        """The stored status as it stands today (see ``phase_of``)."""
        return phase_of(self.status, self.start_date, self.end_date, timezone.localdate())

    def get_phase_display(self):
        return AgreementStatus(self.phase).label

    @property
    def has_pending_changes(self) -> bool:
        """A version newer than the last approved one awaits approval."""
        return self.current_version_id != self.last_approved_version_id

    def approval_refusal(self, agency_id: int, user=None) -> str | None:
        """Why ``agency_id`` cannot approve the current version now (a message for the user),
        or None: the rule that ``agencies.rules.can_approve_for`` and the approval service
        share. With ``user``: also refused to the person who approved it for the other party
        (a member of both would otherwise make the two approvals alone). One query."""
        if agency_id not in self.party_ids:
            return _("Only the two parties approve an agreement.")
        if self.status not in {AgreementStatus.SUBMITTED, AgreementStatus.APPROVED}:
            return _("This agreement is not awaiting approval.")
        if not self.has_pending_changes or self.current_version is None:
            return _("This version is already approved by both parties.")
        approvals = self.current_version.approvals.filter(agency__in=self.party_ids)
        if user is not None and user.pk is not None:
            approvals = approvals.filter(Q(agency=agency_id) | Q(user=user.pk))
        else:
            approvals = approvals.filter(agency=agency_id)
        approved_by = list(approvals.values_list("agency_id", flat=True)[:2])
        if agency_id in approved_by:
            party = self.party_a if agency_id == self.party_a_id else self.party_b
            return _("%(agency)s has already approved this version.") % {"agency": party}
        if approved_by:
            other = self.party_a if approved_by[0] == self.party_a_id else self.party_b
            return _(
                "You approved this version on behalf %(of_agency)s: the other party's approval "
                "must come from another person."
            ) % {"of_agency": of_agency(other.acronym)}
        return None

    @property
    def is_editable(self) -> bool:
        return self.phase not in {AgreementStatus.TERMINATED, AgreementStatus.CLOSED}

    @property
    def binding_imbalance_threshold(self) -> int:
        if self.approved_imbalance_threshold is None:
            return self.imbalance_threshold
        return self.approved_imbalance_threshold

    def eligibility_rules(self) -> EligibilityRules:
        """The rules a nomination follows: those of the last version both parties approved;
        before any approval, those written (the agreement's pages show those)."""
        if self.approved_rules:
            return EligibilityRules(**self.approved_rules)
        return self.written_rules()

    def written_rules(self) -> EligibilityRules:
        return EligibilityRules(
            min_age=self.min_age,
            max_age=self.max_age,
            min_experience_days=self.min_experience_days,
        )


class Quota(models.Model):
    """A cooperation condition: places for one cohort in one direction between the parties.

    ``places`` belongs to the current version of the agreement; ``approved_places`` to the last
    version both parties approved (None: not in it). Placements count against
    ``approved_places``, so a pending change never alters what was agreed.
    """

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="quotas"
    )
    # A year: the missions of the cohort start in it (``missions.services.check_mission``), and
    # it lies within the agreement's period (``clean``, the agreement services).
    cohort = models.PositiveSmallIntegerField(
        _("cohort"),
        validators=[validate_year],
        help_text=_("The year the cohort's missions start in."),
    )
    sending = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("sending agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    places = models.IntegerField(_("places"))
    approved_places = models.IntegerField(_("approved places"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("mission duration (months)"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["agreement", "cohort", "sending"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=0), name="quota_places_not_negative"),
            models.CheckConstraint(
                condition=Q(approved_places__isnull=True) | Q(approved_places__gte=0),
                name="quota_approved_places_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(sending=F("receiving")),
                name="quota_two_distinct_agencies",
                violation_error_message=_("A quota goes from one agency to another."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "cohort", "sending", "receiving"],
                name="quota_one_per_cohort_and_direction",
            ),
            # What the missions' composite foreign key to their quota's agencies references
            # (missions migration 0015).
            models.UniqueConstraint(
                fields=["id", "sending", "receiving"], name="quota_id_with_agencies"
            ),
        ]
        # The quotas of one agency, read from the index alone (the home page's nominations).
        indexes = [
            models.Index(fields=["receiving", "id"], name="quota_receiving_idx"),
            models.Index(fields=["sending", "id"], name="quota_sending_idx"),
            # The cohorts not past of the quotas an agency receives (the mission form).
            models.Index(fields=["receiving", "cohort"], name="quota_receiving_cohort_idx"),
            # The home page's chart: the latest cohorts an agency sends to (without it, every
            # quota the agency ever sent is read to keep those of two cohorts).
            models.Index(fields=["sending", "cohort"], name="quota_sending_cohort_idx"),
        ]

    def __str__(self):
        return f"{self.agreement} {self.cohort}: {self.sending} → {self.receiving} ({self.places})"

    def clean(self):
        super().clean()
        if self.agreement_id and self.cohort is not None:
            message = cohort_error(self.cohort, self.agreement.start_date, self.agreement.end_date)
            if message:
                raise ValidationError({"cohort": message})

    @property
    def is_pending(self) -> bool:
        """Added by a version the parties have not both approved, to an agreement they approved
        before: not part of what was agreed, so no place of it is (``approved_places`` is None
        both for such a row and for every row of an agreement never approved). Reads the
        agreement only for such a row."""
        return self.approved_places is None and self.agreement.last_approved_version_id is not None

    @property
    def agreed_places(self) -> int:
        """The places agreed: those of the last version both parties approved (none for a
        pending row); before any approval, the places written (the proposal: nothing binds
        yet, and nothing can be placed under it)."""
        if self.approved_places is not None:
            return self.approved_places
        return 0 if self.is_pending else self.places

    @property
    def direction_label(self) -> str:
        """ "2027 ANVT → CNPV": the cohort and direction, as messages and choices name it."""
        return f"{self.cohort} {self.sending.acronym} → {self.receiving.acronym}"


def cohort_error(cohort: int, start: datetime.date, end: datetime.date) -> str | None:
    """Why ``cohort`` cannot be a cohort of an agreement running from ``start`` to ``end``, or
    None: a cohort is a year of the agreement's period."""
    if start.year <= cohort <= end.year:
        return None
    return _("The cohort %(cohort)s is not a year of the agreement (%(first)s–%(last)s).") % {
        "cohort": cohort,
        "first": start.year,
        "last": end.year,
    }


class AgreementVersion(models.Model):
    """One version of an agreement's substance, as approved texts are: never changed.

    Append-only (no history table): a change makes a new row. ``canonical`` is the exact JSON
    text that was hashed, so anyone can check ``sha256`` again.
    """

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    canonical = models.TextField(_("canonical text"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreementversion_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.agreement} v{self.number}"

    @property
    def data(self) -> dict:
        return json.loads(self.canonical)


class Approval(models.Model):
    """A party's approval of one version: who, when, and the hash of the text they read.

    Append-only like the versions it points at: approvals are per version, so a new version
    simply has none yet.
    """

    version = models.ForeignKey(
        AgreementVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="approvals",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        # The approval stays when its author's account is deleted (pages say "deleted user").
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["version", "approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "agency"], name="approval_one_per_party_and_version"
            ),
            # One person approving a version for both parties is refused by the approval
            # service (``Agreement.approval_refusal``), not here: approvals recorded before that
            # rule may hold such a pair, and a constraint could not be added over them.
        ]

    def __str__(self):
        return f"{self.version} — {self.agency}"


class ApprovalRequest(models.Model):
    """That a party was asked (by e-mail) to approve a version: one message per version and
    agency, whatever happens in between (the partner's own approval, say, which used to ask
    again). The unique constraint is the rule; ``exchanges.notifications`` reads it."""

    version = models.ForeignKey(
        AgreementVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="approval_requests",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "agency"], name="approvalrequest_once_per_party_and_version"
            ),
        ]

    def __str__(self):
        return f"{self.version} → {self.agency}"
