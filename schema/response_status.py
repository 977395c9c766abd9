"""The HTTP status and media type of an answer, as the GraphQL-over-HTTP specification has them.

A client that accepts ``application/graphql-response+json`` learns from the status whether the
operation ran: a request error (the document does not parse or validate, the variables do not
fit, no operation can be chosen, no valid key) has no ``data`` entry and a 4xx status; an
operation that ran is 200 with its ``data``, field errors or not. A client that accepts only
``application/json`` gets 200 for every well-formed request, as the specification requires for
that media type, and reads the outcome from ``extensions.code``. Both get 4xx for a request
that is not well formed (a body that is not JSON, no query), 413/429/503 when the server
refuses to do the work, and a JSON body every time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "is_request_error",
    "media_type_for",
    "status_for",
]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# Refusals before any work, whatever the media type.
SERVER_REFUSALS = {"PAYLOAD_TOO_LARGE": 413, "RATE_LIMITED": 429, "UNAVAILABLE": 503}
# Request errors, for a client that accepts application/graphql-response+json.
REQUEST_ERRORS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "INTERNAL_SERVER_ERROR": 500}
REQUEST_ERROR_DEFAULT = 400


def _quality(accept: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found[media.lower()] = max(quality, found.get(media.lower(), 0.0))
    return found


def media_type_for(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client prefers it, else JSON.

    A client that sends no ``Accept`` (or ``*/*``) is a legacy client: the specification
    answers it with ``application/json``.
    """
    if not accept:
        return JSON
    quality = _quality(accept)
    wanted = quality.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if wanted > 0 and wanted >= quality.get(JSON, 0.0) else JSON


def _codes(body: Mapping[str, Any]) -> list[str]:
    return [
        str((error.get("extensions") or {}).get("code"))
        for error in body.get("errors") or ()
        if isinstance(error, Mapping)
    ]


def is_request_error(body: Mapping[str, Any]) -> bool:
    """Whether the operation never ran: errors, no data, and no error tied to a field."""
    errors = body.get("errors") or ()
    if not errors or body.get("data") is not None:
        return False
    return not any(isinstance(error, Mapping) and error.get("path") for error in errors)


def status_for(body: Mapping[str, Any], media_type: str) -> int:
    """The status of an answer with this body, in this media type."""
    codes = _codes(body)
    for code in codes:
        if code in SERVER_REFUSALS:
            return SERVER_REFUSALS[code]
    if media_type != GRAPHQL_RESPONSE or not is_request_error(body):
        return 200
    for code in codes:
        if code in REQUEST_ERRORS:
            return REQUEST_ERRORS[code]
    return REQUEST_ERROR_DEFAULT
