"""Programmes run for a funder by a lead agency (Territoires Volontaires, issue 19): their
targets and volunteering schemes, calls for expressions of interest, the local authorities'
applications (laureates once selected), the operator each laureate chooses, support actions and
the missions that count towards the targets.

This app sits above ``missions``: a programme mission links an existing mission to a laureate
(``ProgrammeMission``), so that ``missions`` knows nothing of programmes.
"""

from __future__ import annotations

import functools
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, HostStructure, Theme
from core.dates import validate_date
from core.models import QuickChoiceLabels
from missions.models import Mission
from volunteers.eligibility import about_months


class Level(models.TextChoices):
    """The levels of French local authorities whose balance the programme watches."""

    COMMUNE = "commune", _("Commune")
    GROUPING = "grouping", _("Grouping of communes (EPCI)")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    lead_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="led_programmes",
        verbose_name=_("lead agency"),
    )
    funder = models.CharField(_("funder"), max_length=200)
    steering_committee = models.TextField(
        _("steering committee"), blank=True, help_text=_("One organisation per line.")
    )
    start_date = models.DateField(_("start date"), validators=[validate_date])
    end_date = models.DateField(_("end date"), validators=[validate_date])
    operators = models.ManyToManyField(
        Agency, related_name="operated_programmes", blank=True, verbose_name=_("operators")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="programme_period_valid"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def committee_members(self) -> list[str]:
        return [line.strip() for line in self.steering_committee.splitlines() if line.strip()]


class ProgrammeMember(QuickChoiceLabels, models.Model):
    """A user's role in a programme: its staff (select, support, report) or a read-only viewer
    (the funder's view). Members of the lead agency are not staff by membership alone."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Programme staff")
        VIEWER = "viewer", _("Viewer (read-only)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("programme member")
        verbose_name_plural = _("programme members")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="programme_member_once"),
            models.CheckConstraint(
                condition=Q(role__in=["staff", "viewer"]), name="programme_member_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class Target(QuickChoiceLabels, models.Model):
    """A named, measurable target; ``kind`` says how the dashboard measures it."""

    class Kind(models.TextChoices):
        MISSIONS = "missions", _("Missions")
        AUTHORITIES = "authorities", _("Local authorities (laureates)")
        FIRST_TIMERS = "first_timers", _("Share of first-timers (%)")
        LEVEL_BALANCE = "level_balance", _("Minimum share of each level (%)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=200)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="target_kind_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["missions", "authorities", "first_timers", "level_balance"]),
                name="target_kind_valid",
            ),
        ]

    def __str__(self):
        return self.label


class Scheme(QuickChoiceLabels, models.Model):
    """A volunteering scheme a programme allows, with its eligibility rules (read by
    ``volunteers.eligibility``: ages and days of experience)."""

    class Code(models.TextChoices):
        VIR = "vir", _("Reciprocal international volunteering (VIR)")
        SERVICE_CIVIQUE = "service_civique", _("Service Civique")
        VSI = "vsi", _("International solidarity volunteering (VSI)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="schemes")
    code = models.CharField(_("scheme"), max_length=20, choices=Code.choices)
    min_age = models.PositiveSmallIntegerField(_("minimum age"))
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    max_age_with_disability = models.PositiveSmallIntegerField(
        _("maximum age with a disability"), null=True, blank=True
    )
    min_experience_days = models.PositiveIntegerField(_("minimum experience (days)"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="scheme_once"),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=models.F("min_age")),
                name="scheme_ages_valid",
            ),
        ]

    def __str__(self):
        return self.get_code_display()

    def ages_text(self) -> str:
        """The age rule in words: a minimum of 0 is no minimum, a missing maximum none."""
        low, high = self.min_age or None, self.max_age
        if low and high:
            text = gettext("aged %(min)s to %(max)s") % {"min": low, "max": high}
        elif low:
            text = gettext("aged %(min)s and over") % {"min": low}
        elif high:
            text = gettext("aged up to %(max)s") % {"max": high}
        else:
            text = gettext("no age limit")
        if self.max_age_with_disability:
            text += " " + gettext("(%(max)s with a disability)") % {
                "max": self.max_age_with_disability
            }
        return text

    def rules_text(self) -> str:
        """The scheme and its rules in one sentence (the dashboard's list of schemes): ages,
        and the minimum experience when there is one (in days, the rule; about how many months
        they make, for reading)."""
        rules = self.ages_text()
        days = self.min_experience_days
        if days:
            rules += ", " + ngettext(
                "with at least %(days)s day of volunteering experience",
                "with at least %(days)s days of volunteering experience",
                days,
            ) % {"days": days}
            months = about_months(days)
            if months:
                rules += " " + ngettext(
                    "(about %(months)s month)", "(about %(months)s months)", months
                ) % {"months": months}
        return gettext("%(scheme)s: %(rules)s") % {"scheme": self, "rules": rules}


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time zone the server knows (``Europe/Paris``): any other text would make every
    page that shows the call in its zone fail."""
    if value not in available_time_zones():
        raise ValidationError(
            _("Unknown time zone: %(zone)s. Write an IANA name such as Europe/Paris."),
            code="unknown_time_zone",
            params={"zone": value},
        )


class Call(models.Model):
    """A call for expressions of interest. Opening and deadline are instants; ``time_zone``
    is the zone in which they are announced and shown to applicants."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("deadline"))
    time_zone = models.CharField(
        _("time zone"), max_length=50, default="Europe/Paris", validators=[validate_time_zone]
    )
    selection_date = models.DateField(_("selection date"), validators=[validate_date])
    questions = models.TextField(_("questions"), blank=True, help_text=_("One question per line."))

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call for expressions of interest")
        verbose_name_plural = _("calls for expressions of interest")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_period_valid"
            )
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


siren_validator = RegexValidator(r"^\d{9}$", _("A SIREN number has nine digits."))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Application(QuickChoiceLabels, models.Model):
    """A local authority's expression of interest in a call; a laureate once selected."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        LAUREATE = "laureate", _("Laureate")
        NOT_SELECTED = "not_selected", _("Not selected")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    name = models.CharField(_("local authority"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    siren = models.CharField(_("SIREN"), max_length=9, validators=[siren_validator])
    region = models.CharField(_("region"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    partners = models.TextField(_("decentralised-cooperation partners"), blank=True)
    first_time = models.BooleanField(
        _("first time in international action or volunteering"), default=False
    )
    sending = models.BooleanField(_("sending volunteers abroad"), default=False)
    hosting = models.BooleanField(_("hosting volunteers in France"), default=False)
    countries = models.CharField(_("countries"), max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, verbose_name=_("themes"))
    missions_planned = models.PositiveSmallIntegerField(
        _("number of missions"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    answers = models.TextField(_("answers to the call's questions"), blank=True)
    # The secret of the amend link (signed with it, so a leaked link can be revoked).
    token = models.CharField(max_length=64, default=new_token, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    comment = models.TextField(_("comment"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    operator = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_laureates",
        verbose_name=_("operator"),
    )
    operator_chosen_at = models.DateTimeField(_("operator chosen at"), null=True, blank=True)
    # The authority as a host structure of its operator (made when it chooses the operator).
    host_structure = models.ForeignKey(
        HostStructure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_applications",
        verbose_name=_("host structure"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # One application per authority and call: applying again amends (by the link).
            models.UniqueConstraint(fields=["call", "siren"], name="application_once_per_call"),
            models.CheckConstraint(
                condition=Q(level__in=["commune", "grouping", "departement", "region"]),
                name="application_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "laureate", "not_selected"]),
                name="application_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(sending=True) | Q(hosting=True), name="application_has_intention"
            ),
            models.CheckConstraint(
                condition=Q(operator__isnull=True) | Q(decision="laureate"),
                name="application_operator_for_laureates",
            ),
        ]
        indexes = [
            models.Index(fields=["call", "decision"], name="application_call_decision_idx"),
            models.Index(fields=["operator", "decision"], name="application_operator_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_laureate(self) -> bool:
        return self.decision == self.Decision.LAUREATE


class SupportAction(QuickChoiceLabels, models.Model):
    """Support given to a laureate in one of the programme's two strands."""

    class Strand(models.TextChoices):
        CAPACITY = "capacity", _("Capacity building (training)")
        CODESIGN = "codesign", _("Co-design of missions (workshop)")

    laureate = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="support_actions"
    )
    strand = models.CharField(_("strand"), max_length=20, choices=Strand.choices)
    title = models.CharField(_("title"), max_length=200)
    # A workshop or a training gathers a few people, an event some hundreds: more is a typo.
    MAX_ATTENDANCE = 10_000

    date = models.DateField(_("date"), validators=[validate_date])
    attendance = models.PositiveSmallIntegerField(
        _("attendance"), default=0, validators=[MaxValueValidator(MAX_ATTENDANCE)]
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("support action")
        verbose_name_plural = _("support actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(strand__in=["capacity", "codesign"]), name="support_strand_valid"
            )
        ]

    def __str__(self):
        return self.title


class ProgrammeMission(models.Model):
    """A mission of the programme, carried with a laureate: it counts towards the targets."""

    mission = models.OneToOneField(
        Mission, on_delete=models.CASCADE, related_name="programme_link", verbose_name=_("mission")
    )
    laureate = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="programme_missions"
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme")
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme mission")
        verbose_name_plural = _("programme missions")

    def __str__(self):
        return f"{self.mission} · {self.laureate}"
