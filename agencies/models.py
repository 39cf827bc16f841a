from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.models import QuickChoiceLabels

from .themes import theme_label

phone_validator = RegexValidator(
    r"^\+?[0-9 ().-]{6,20}$",
    _("Enter a phone number with digits only, optionally starting with + (e.g. +228 22 21 00 00)."),
)


class Theme(models.Model):
    """A mission theme (reference data). ``code`` is stable; the name is translated in the UI."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        db_table = "exchanges_theme"  # its table since it was moved here from the exchanges app

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        return theme_label(self.code, self.name)


class Agency(QuickChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        NATIONAL_AGENCY = "national_agency", _("National volunteering agency")
        INTERNATIONAL_OPERATOR = "international_operator", _("International operator")
        FOUNDATION = "foundation", _("Foundation")
        MINISTRY = "ministry", _("Ministry")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, unique=True)
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(Lower("acronym"), name="agency_acronym_ci_unique"),
        ]

    def __str__(self):
        return self.acronym

    @property
    def slug(self):
        """Lower-case acronym, used for demo user names (``anvt-manager``)."""
        return self.acronym.lower()


class HostStructureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class HostStructure(QuickChoiceLabels, models.Model):
    """An organisation where volunteers serve, managed by one agency of its country."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        SCHOOL = "school", _("School")
        HEALTH_CENTRE = "health_centre", _("Health centre")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        MINISTRY = "ministry", _("Ministry")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("managing agency"),
        on_delete=models.PROTECT,
        related_name="host_structures",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    themes = models.ManyToManyField(
        "Theme", verbose_name=_("themes"), blank=True, related_name="host_structures"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = HostStructureQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("host structure")
        verbose_name_plural = _("host structures")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "agency",
                Lower("name"),
                "city",
                name="hoststructure_unique_name_per_city",
                violation_error_message=_(
                    "Your agency already has a host structure with this name here."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"


class Membership(QuickChoiceLabels, models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        OFFICER = "officer", _("Officer")
        EVALUATOR = "evaluator", _("Evaluator")
        PARTNER = "partner", _("Partner (read-only)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency__acronym", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"], name="membership_one_role_per_agency"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.agency} ({self.get_role_display()})"


# The user name recorded for a download through a volunteer's personal link (no account).
ANONYMOUS_DOWNLOADER = "(volunteer link)"


class DownloadRecord(QuickChoiceLabels, models.Model):
    """One download or export of personal or agreement data (append-only): the platform's one
    log of them, read by the managers of the agency that acted and by the admin.

    Free of foreign keys to what was downloaded (volunteers, agreements, reports live in the
    apps above): the kind, the object's id and a label written at the time keep the record
    readable when the object or the user is gone.
    """

    class Kind(models.TextChoices):
        VOLUNTEER_EXPORT = "volunteer_export", _("Volunteer list export")
        PERSONAL_DATA = "personal_data", _("Volunteer’s personal data")
        PROOF = "proof", _("Proof document")
        CHECKLIST_DOCUMENT = "checklist_document", _("Pre-departure document")
        AGREEMENT_DOCUMENT = "agreement_document", _("Signed agreement")
        REPORT = "report", _("Report")
        CERTIFICATE = "certificate", _("Completion certificate")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    label = models.CharField(_("label"), max_length=255)
    # The agency the user acted for: its managers see the record. Empty for an administrator
    # who belongs to no agency.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="downloads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150)
    at = models.DateTimeField(_("downloaded at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-at", "-pk"]
        # The managers' page: one agency's records, newest first.
        indexes = [models.Index(fields=["agency", "-at", "-id"], name="download_agency_newest")]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.label}” — {self.username} ({self.at:%Y-%m-%d})"

    @property
    def downloader(self) -> str:
        """Who downloaded, as the log names them: the account's full name (an API token's
        account bears the token's name) with the user name recorded at the time; a volunteer
        through their personal link. Reads ``user``: select it with the records."""
        if self.user_id is None and self.username == ANONYMOUS_DOWNLOADER:
            return str(_("the volunteer, through their personal link"))
        full = self.user.get_full_name() if self.user_id else ""
        return f"{full} ({self.username})" if full else self.username
