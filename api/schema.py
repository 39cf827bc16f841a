"""What the OpenAPI schema says of the token authentication and of the errors."""

import threading

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

# drf-spectacular's generation is not thread-safe: it binds each view's schema object to the
# view in turn, and a generation beside another on gunicorn's threads failed ("Schema
# generation REQUIRES a view instance"). Generations (the schema's view, the reference page)
# take turns.
GENERATION = threading.Lock()


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


# OpenAPI links from what a write creates to the operations on it: documentation for clients,
# and the paths Schemathesis' stateful runs follow (tests/test_api_schemathesis.py).
LINKS = {
    "volunteers_create": ["volunteers_retrieve", "volunteers_partial_update",
                          "volunteers_eligibility_retrieve"],
    "placements_create": ["placements_retrieve", "placements_confirm_create",
                          "placements_decline_create", "placements_cancel_create",
                          "placements_departure_create", "placements_return_create"],
    "reports_create": ["reports_retrieve", "reports_download_retrieve"],
}  # fmt: skip


def add_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: the ``links`` of each creating operation's 201."""
    known = {
        operation.get("operationId")
        for item in result.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
    }
    for item in result.get("paths", {}).values():
        for operation in item.values():
            targets = (
                LINKS.get(operation.get("operationId")) if isinstance(operation, dict) else None
            )
            created = (operation.get("responses") or {}).get("201") if targets else None
            if created is None:
                continue
            created["links"] = {
                target: {"operationId": target, "parameters": {"id": "$response.body#/id"}}
                for target in targets
                if target in known
            }
    return result
