"""ETags on details and idempotent writes (``Idempotency-Key``)."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from .models import IdempotentRequest
from .problems import problem


def etag_of(data) -> str:
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])


def conditional(request, data, *, status_code=200) -> Response:
    """A detail answer with its ``ETag``; 304 when the client's ``If-None-Match`` holds it."""
    etag = etag_of(data)
    wanted = [
        t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")
    ]
    if etag in wanted or "*" in wanted:
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data, status=status_code)
    response["ETag"] = etag
    response["Vary"] = "Accept-Language, Authorization, Cookie"
    return response


IDEMPOTENCY_HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(write):
    """Decorate a write handler ``(self, request, *args, **kwargs) -> Response``: with the
    same ``Idempotency-Key`` the first answer is given again and the write not done twice;
    the key required on POST."""

    def handler(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            if request.method == "POST":
                raise exceptions.ValidationError(
                    {IDEMPOTENCY_HEADER: [_("Send an Idempotency-Key header with every write.")]}
                )
            return write(self, request, *args, **kwargs)
        if len(key) > 255:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [_("At most 255 characters.")]})
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                try:
                    # The row first: a concurrent retry with the same key waits on it here.
                    with transaction.atomic():
                        record = IdempotentRequest.objects.create(
                            user=request.user, key=key, fingerprint=fingerprint, status=0
                        )
                except IntegrityError:
                    record = None
                if record is not None:
                    response = write(self, request, *args, **kwargs)
                    if response.status_code >= 500:
                        raise _Undo(response)
                    record.status = response.status_code
                    record.body = response.data
                    record.location = response.get("Location", "")
                    record.save(update_fields=["status", "body", "location"])
                    return response
        except _Undo as undo:
            return undo.response
        record = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if record is None or record.status == 0:
            return problem(409, _("A request with this Idempotency-Key is still being processed."))
        if record.fingerprint != fingerprint:
            return problem(422, _("This Idempotency-Key was used for another request."))
        response = Response(record.body, status=record.status)
        if record.location:
            response["Location"] = record.location
        response["Idempotent-Replayed"] = "true"
        return response

    handler.__name__ = write.__name__
    handler.__doc__ = write.__doc__
    return handler


class _Undo(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response
