import datetime
import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from agencies.models import phone_validator
from core.dates import validate_birth_date, validate_date
from core.models import QuickChoiceLabels
from core.search import search_text

from .validators import validate_proof_document

NAME_PUNCTUATION = set(" '’‘-.")


def validate_person_name(value: str) -> None:
    """Letters of any script, with spaces, apostrophes, hyphens and dots between them.

    Accented names are the norm here (Kpatcha-Essowè, N’Guessan, Quishpe Guamán): the rule is
    about Unicode categories, never an ASCII range.
    """
    if not any(unicodedata.category(c).startswith("L") for c in value):
        raise ValidationError(_("A name must contain letters."), code="no_letters")
    for char in value:
        if char not in NAME_PUNCTUATION and unicodedata.category(char)[0] not in "LM":
            raise ValidationError(
                _("“%(char)s” cannot appear in a name."), code="bad_char", params={"char": char}
            )


def normalise_name(value: str) -> str:
    """NFC (one code point per accented letter) and single spaces."""
    return " ".join(unicodedata.normalize("NFC", value).split())


# The typographic apostrophes (a phone types ’) compared as the keyboard's ' (PostgreSQL's
# unaccent does the same for the search: core.search).
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


def name_key(first: str, last: str) -> tuple[str, str]:
    """Two names of the same person compare equal: whatever their case and apostrophes."""
    return first.translate(_APOSTROPHES).casefold(), last.translate(_APOSTROPHES).casefold()


def apostrophe_variants(value: str) -> set[str]:
    """``value`` with its apostrophes written each way: what a lookup of the stored names by
    an index of their exact (lowered) text must ask for."""
    plain = value.translate(_APOSTROPHES)
    return {value, plain, plain.replace("'", "’"), plain.replace("'", "‘")}


def validate_not_before_1900(value: datetime.date) -> None:
    if value < datetime.date(1900, 1, 1):
        raise ValidationError(_("Enter a date after 1900."), code="too_early")


class Language(models.TextChoices):
    """Languages the volunteers of the partner countries speak (ISO 639 codes)."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    GERMAN = "de", _("German")
    ARABIC = "ar", _("Arabic")
    EWE = "ee", _("Ewe")
    KABIYE = "kbp", _("Kabiye")
    MINA = "gej", _("Mina")
    BAMBARA = "bm", _("Bambara")
    SONGHAY = "son", _("Songhay")
    TAMASHEQ = "tmh", _("Tamasheq")
    MOORE = "mos", _("Mooré")
    DYULA = "dyu", _("Dyula")
    FULA = "ff", _("Fula")
    HAUSA = "ha", _("Hausa")
    WOLOF = "wo", _("Wolof")
    KICHWA = "qu", _("Kichwa")


class VolunteerStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    SELECTED = "selected", _("Selected")
    DEPLOYED = "deployed", _("Deployed")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What an anonymisation writes in place of both names, also in the earlier versions of the
# history (``volunteers.services.volunteer_anonymise``): a marker, never shown as a name.
ANONYMOUS_NAME = "Anonymised"


def email_concern(volunteer_id: int) -> str:
    """The key of the outbox's messages that name a volunteer (``core.mail.queue_emails``'s
    ``concerning``): their anonymisation erases the name from those messages."""
    return f"volunteer:{volunteer_id}"


class Volunteer(QuickChoiceLabels, models.Model):
    Status = VolunteerStatus

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other or not stated")

    class Education(models.TextChoices):
        NONE = "none", _("No formal education")
        PRIMARY = "primary", _("Primary school")
        SECONDARY = "secondary", _("Secondary school")
        BACCALAUREATE = "baccalaureate", _("Baccalaureate")
        VOCATIONAL = "vocational", _("Vocational training")
        BACHELOR = "bachelor", _("Bachelor’s degree")
        MASTER = "master", _("Master’s degree")
        DOCTORATE = "doctorate", _("Doctorate")

    first_name = models.CharField(
        _("first name"), max_length=150, validators=[validate_person_name]
    )
    last_name = models.CharField(_("last name"), max_length=150, validators=[validate_person_name])
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), validators=[validate_birth_date])
    nationality = CountryField(_("nationality"))
    diaspora = models.BooleanField(
        _("diaspora"), default=False, help_text=_("Lives outside the country of nationality.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country of residence"), blank=True)
    education_level = models.CharField(
        _("education level"), max_length=20, choices=Education.choices, blank=True
    )
    skills = models.TextField(_("skills"), blank=True)
    # Shown to the host agency's members on the reduced profile of a nomination (with the
    # skills, languages, themes and experience; never the contact details).
    motivation = models.TextField(
        _("motivation"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Why the volunteer wants to serve abroad; the host agency reads it."),
    )
    themes = models.ManyToManyField(
        "agencies.Theme",
        verbose_name=_("themes of interest"),
        blank=True,
        related_name="volunteers",
    )
    sending_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("sending agency"),
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE
    )
    notes = models.TextField(_("notes"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    # Derived from the experience spans (services.experience_spans_refresh): the date from which
    # the VIR rule's experience is met. The "eligible on" filter compares it, row by row.
    experience_met_on = models.DateField(
        _("experience requirement met on"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The names and the e-mail in capitals without accents, kept by the database whatever
    # writes the row: what the searches read (``search_text__matches``, core.search), through
    # one trigram index (migration 0020).
    search_text = models.GeneratedField(
        expression=search_text("first_name", "last_name", "email"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("search text"),
    )

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "sending_agency",
                Lower("email"),
                condition=~models.Q(email=""),
                name="volunteer_unique_email_per_agency",
                violation_error_message=_("Your agency already has a volunteer with this e-mail."),
            ),
            models.UniqueConstraint(
                "sending_agency",
                Lower("last_name"),
                Lower("first_name"),
                "birth_date",
                condition=models.Q(anonymised_at__isnull=True),
                name="volunteer_unique_person_per_agency",
                violation_error_message=_(
                    "Your agency already has a volunteer with this name and birth date."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VolunteerStatus.values),
                name="volunteer_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(birth_date__gte=datetime.date(1900, 1, 1)),
                name="volunteer_birth_date_after_1900",
            ),
        ]
        indexes = [
            # The list is per agency, sorted by name, filtered by age and status. The search
            # text rides along (INCLUDE, PostgreSQL), with what the nomination page filters
            # on: a search walks the name order without reading the table
            # (``selectors.SearchReader``).
            models.Index(
                fields=["sending_agency", "last_name", "first_name", "id"],
                include=["search_text", "status", "anonymised_at"],
                name="volunteer_agency_name_search",
            ),
            models.Index(
                fields=["sending_agency", "birth_date"], name="volunteer_agency_birth_idx"
            ),
            # The import's duplicate check looks e-mails up by the thousand. The unique index
            # on the same expression is partial (``email <> ''``), and PostgreSQL keeps no
            # statistics for the expressions of a partial index: without this one, it guessed
            # that a thousand e-mails matched the whole agency and read all of it each time.
            models.Index(
                models.F("sending_agency"), Lower("email"), name="volunteer_agency_email_idx"
            ),
            # The sorts the list offers (the id breaks ties, in the list's order), per agency.
            models.Index(
                fields=["sending_agency", "status", "id"], name="volunteer_agency_status_id_idx"
            ),
            models.Index(
                fields=["sending_agency", "nationality", "id"], name="volunteer_agency_nat_idx"
            ),
            models.Index(
                fields=["sending_agency", "updated_at", "id"], name="volunteer_agency_updated_idx"
            ),
            # An administrator's list spans every agency, sorted by name or by any other sort
            # the list offers: without these, each sort read and sorted the million rows
            # (330-520 ms). Four more indexes for every volunteer write to maintain: accepted
            # for a register read far more often than written (docs/performance.md).
            models.Index(
                fields=["last_name", "first_name", "id"],
                include=["search_text"],
                name="volunteer_name_search",
            ),
            models.Index(fields=["birth_date", "id"], name="volunteer_birth_id_idx"),
            models.Index(fields=["nationality", "id"], name="volunteer_nat_id_idx"),
            models.Index(fields=["status", "id"], name="volunteer_status_id_idx"),
            models.Index(fields=["updated_at", "id"], name="volunteer_updated_id_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        # An earlier version read from the history has no ``anonymised_at``, but its names are
        # erased as well: it is named as the volunteer now is, not "Anonymised Anonymised".
        if self.anonymised_at is not None or self.first_name == self.last_name == ANONYMOUS_NAME:
            return str(_("Anonymised volunteer"))
        return f"{self.first_name} {self.last_name}"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def clean(self):
        self.first_name = normalise_name(self.first_name)
        self.last_name = normalise_name(self.last_name)
        self.email = self.email.strip().lower()


class LanguageSkill(QuickChoiceLabels, models.Model):
    class Level(models.TextChoices):
        NATIVE = "native", _("Native")
        FLUENT = "fluent", _("Fluent")
        WORKING = "working", _("Working knowledge")
        BASIC = "basic", _("Basic")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="languages"
    )
    language = models.CharField(_("language"), max_length=3, choices=Language.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["volunteer", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "language"],
                name="languageskill_once_per_volunteer",
                violation_error_message=_("This language is listed twice."),
            ),
        ]
        indexes = [models.Index(fields=["language", "volunteer"], name="languageskill_lang_idx")]

    def __str__(self):
        return f"{self.get_language_display()} ({self.get_level_display()})"


def proof_upload_to(instance, filename):
    # The original name is kept for the download; the stored name carries no personal data.
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"volunteers/proofs/{datetime.date.today():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Experience(models.Model):
    """A past (or ongoing, or future) volunteering period."""

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="experiences",
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    start = models.DateField(_("start"), validators=[validate_date])
    end = models.DateField(
        _("end"),
        null=True,
        blank=True,
        help_text=_("Empty while ongoing."),
        validators=[validate_date],
    )
    description = models.TextField(_("description"), blank=True)
    proof = models.FileField(
        _("proof document"),
        upload_to=proof_upload_to,
        blank=True,
        max_length=255,
        validators=[validate_proof_document],
        help_text=_("Optional: a PDF or an image (JPEG, PNG, WebP) of at most 5 MB."),
    )
    proof_name = models.CharField(_("proof file name"), max_length=255, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="experience_end_not_before_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.start} – {self.end or '…'})"

    @property
    def period(self):
        return (self.start, self.end)

    @property
    def is_ongoing(self) -> bool:
        return self.end is None

    def clean(self):
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValidationError({"end": _("The end cannot be before the start.")})


class ExperienceSpan(models.Model):
    """The union of a volunteer's periods, precomputed for the "eligible on" filter.

    Derived data, rebuilt by ``services.experience_spans_refresh`` whenever the periods change
    (see ``eligibility.Span`` for the arithmetic). It lets the database answer "at least n days
    of experience before this date" for a million volunteers with an indexed comparison.
    """

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="spans")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    days_before = models.PositiveIntegerField()
    origin = models.DateField()
    days_through = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("experience span")
        verbose_name_plural = _("experience spans")
        ordering = ["volunteer", "start"]
        indexes = [models.Index(fields=["volunteer", "origin"], name="experiencespan_origin_idx")]

    def __str__(self):
        return f"{self.start} – {self.end or '…'}"


from .exports import VolunteerExport  # noqa: E402, F401  (a model of this app, in its own module)
from .imports import VolunteerImport  # noqa: E402, F401  (a model of this app, in its own module)
from .tallies import VolunteerTally  # noqa: E402, F401  (a model of this app, in its own module)
