"""What the OpenAPI schema says of the token authentication and of the errors."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.http.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An agency's API token."}


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem, in the language of ``Accept-Language``."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The messages per field of a request that is not valid.",
    )


# The errors every operation may answer, and those of writes.
READ_ERRORS = {"400": "Bad request", "401": "Authentication required", "403": "Forbidden",
               "404": "Not found", "429": "Too many requests"}  # fmt: skip
WRITE_ERRORS = {**READ_ERRORS, "409": "Refused by a rule of the domain, or a stale hash",
                "415": "Unsupported media type",
                "422": "The Idempotency-Key was used for another request"}  # fmt: skip


class ProblemAutoSchema(AutoSchema):
    """Every operation documents its problem answers (application/problem+json)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        errors = READ_ERRORS if self.method == "GET" else WRITE_ERRORS
        if self.view.__class__.__module__.startswith("drf_spectacular"):
            return responses
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, code, media_types=["application/problem+json"]
                )
                response["description"] = description
                responses[code] = response
        return responses
