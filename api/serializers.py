"""What the API shows of each resource (read side) and the shapes of its write requests."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from agencies.models import Agency
from core.csv import DELIMITER_CHOICES
from evaluations.models import Evaluation
from exchanges.models import Agreement, AgreementVersion, Approval, Quota
from missions.models import EarlyReturnReason, Mission, Placement
from reports.models import Report
from volunteers.models import Volunteer


class AgencySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Agency
        fields = ["id", "acronym", "name", "country", "kind", "website"]


class VolunteerSerializer(serializers.ModelSerializer):
    nationality = serializers.CharField(source="nationality.code")
    country = serializers.CharField(source="country.code", allow_blank=True)
    themes = serializers.SerializerMethodField()
    birth_date = serializers.DateField(
        allow_null=True, help_text="Null once the volunteer is anonymised (the year is kept)."
    )
    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id", "sending_agency", "first_name", "last_name", "sex", "birth_date",
            "birth_year", "nationality", "diaspora", "email", "phone", "city", "country",
            "education_level", "themes", "skills", "motivation", "status", "notes",
            "experience_met_on", "created_at", "updated_at",
        ]  # fmt: skip

    def get_themes(self, volunteer) -> list[int]:
        return sorted(theme.pk for theme in volunteer.themes.all())

    def to_representation(self, volunteer):
        data = super().to_representation(volunteer)
        if volunteer.is_anonymised:  # the day and month were erased: the stored ones are made up
            data["birth_date"] = None
        return data


class ExperienceSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text="In a change: the experience changed (none: a new one)."
    )
    organisation = serializers.CharField()
    role = serializers.CharField(required=False, allow_blank=True)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class LanguageSerializer(serializers.Serializer):
    language = serializers.CharField()
    level = serializers.CharField()


class VolunteerDetailSerializer(VolunteerSerializer):
    experiences = ExperienceSerializer(many=True, read_only=True)
    languages = LanguageSerializer(many=True, read_only=True)

    class Meta(VolunteerSerializer.Meta):
        fields = [*VolunteerSerializer.Meta.fields, "experiences", "languages"]


class VolunteerWriteSerializer(serializers.Serializer):
    """The fields of the volunteer form; checked by that form (the same rules as the pages and
    the import)."""

    sending_agency = serializers.IntegerField(
        required=False, help_text="The agency registering the volunteer (default: the token's)."
    )
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    sex = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False)
    nationality = serializers.CharField(required=False)
    diaspora = serializers.BooleanField(required=False)
    email = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True)
    education_level = serializers.CharField(required=False, allow_blank=True)
    themes = serializers.ListField(child=serializers.IntegerField(), required=False)
    skills = serializers.CharField(required=False, allow_blank=True)
    motivation = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    experiences = ExperienceSerializer(many=True, required=False)
    languages = LanguageSerializer(many=True, required=False)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField(
        allow_null=True,
        help_text="Null when it cannot be told: only the year of birth of an anonymised "
        "volunteer is kept, and the age rule depends on the erased day (reason "
        "`age_undetermined`).",
    )
    on = serializers.DateField()
    age = serializers.IntegerField(
        help_text="When only the year of birth is known: the youngest age that year allows."
    )
    oldest_age = serializers.IntegerField(
        allow_null=True,
        help_text="When only the year of birth is known (anonymised volunteer): the oldest age "
        "that year allows (`age` or `age` + 1); otherwise null.",
    )
    experience_days = serializers.IntegerField()
    reasons = ReasonSerializer(many=True)


class VersionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementVersion
        fields = ["number", "sha256"]


class AgreementSerializer(serializers.ModelSerializer):
    current_version = VersionRefSerializer(read_only=True, allow_null=True)
    last_approved_version = VersionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = [
            "id", "reference", "title", "party_a", "party_b", "start_date", "end_date",
            "status", "min_age", "max_age", "min_experience_days", "current_version",
            "last_approved_version", "updated_at",
        ]  # fmt: skip


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = ["agency", "sha256", "approved_at"]


class VersionSerializer(serializers.ModelSerializer):
    approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = AgreementVersion
        fields = ["number", "sha256", "created_at", "approvals"]


class VersionDetailSerializer(VersionSerializer):
    canonical = serializers.CharField(
        help_text="The exact canonical JSON text whose SHA-256 is `sha256`."
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "canonical"]


class ApproveSerializer(serializers.Serializer):
    agency = serializers.IntegerField(help_text="The party approving (one the token manages).")
    sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$", help_text="The SHA-256 of the version read and approved."
    )


class QuotaSerializer(serializers.ModelSerializer):
    binding_places = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    pending = serializers.BooleanField(
        help_text="Added by an amendment the parties have not both approved: no place of it "
        "is agreed yet (binding_places 0)."
    )

    class Meta:
        model = Quota
        fields = [
            "id", "agreement", "cohort", "sending", "receiving", "places", "approved_places",
            "binding_places", "used", "remaining", "pending",
        ]  # fmt: skip


class MissionSerializer(serializers.ModelSerializer):
    agreement = serializers.IntegerField(source="quota.agreement_id")
    sending = serializers.IntegerField(source="quota.sending_id")
    receiving = serializers.IntegerField(source="quota.receiving_id")
    host_structure = serializers.CharField(source="host_structure.name")

    class Meta:
        model = Mission
        fields = [
            "id", "title", "quota", "agreement", "sending", "receiving", "host_structure",
            "theme", "city", "start_date", "end_date", "places", "status", "updated_at",
        ]  # fmt: skip


class PlacementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Placement
        fields = [
            "id", "mission", "quota", "volunteer", "status", "reason", "departure_date",
            "return_date", "nominated_at", "decided_at", "updated_at",
        ]  # fmt: skip


class NominateSerializer(serializers.Serializer):
    mission = serializers.IntegerField()
    volunteer = serializers.IntegerField()


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DepartureSerializer(serializers.Serializer):
    departure_date = serializers.DateField()
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="A manager's reason for departing with required checklist items open.",
    )


class ReturnSerializer(serializers.Serializer):
    return_date = serializers.DateField()
    early_return_reason = serializers.ChoiceField(
        choices=EarlyReturnReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for an early return.",
    )
    early_return_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = [
            "id", "title", "agreement", "agency", "cohort", "period_start", "period_end",
            "summary", "version", "published_at", "figures",
        ]  # fmt: skip


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = [
            "id", "kind", "format", "language", "status", "agreement", "agency", "evaluation",
            "filename", "size", "created_at", "finished_at",
        ]  # fmt: skip


class ReportRequestSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=["agreement", "agency", "all"],
        help_text="One agreement, the acting agency's agreements, or all (administrators).",
    )
    agreement = serializers.IntegerField(required=False, allow_null=True)
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The acting agency (default: the token's).",
    )
    format = serializers.ChoiceField(choices=Report.Format.choices, default=Report.Format.PDF)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="Default: the request's language."
    )
    first_year = serializers.IntegerField(required=False, allow_null=True)
    last_year = serializers.IntegerField(required=False, allow_null=True)
    threshold = serializers.IntegerField(required=False, allow_null=True)
    delimiter = serializers.ChoiceField(
        choices=DELIMITER_CHOICES, required=False, allow_blank=True, default=""
    )
