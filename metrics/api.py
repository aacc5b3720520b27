"""The ingestion API (django-ninja): batches of events from other systems, per-organisation tokens.
Thin: the token names the organisation, metrics.services.events_ingest checks and writes.

OpenAPI schema at /api/v1/openapi.json, browsable docs at /api/v1/docs (served locally).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.security import HttpBearer

from metrics import services
from metrics.models import ApiToken

MAX_BATCH = 1000

api = NinjaAPI(
    title="Snowball ingestion API",
    version="1",
    urls_namespace="metrics-api",
    description="Post activity events in batches of up to 1,000. Each event needs an "
    "external_id unique within your organisation: posting it again is reported as a duplicate "
    "and changes nothing. Each event is created, a duplicate or rejected with its reason; a batch "
    "with a NUL character (\\u0000) in any text field is refused whole (400), nothing written.",
)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return services.api_token_authenticate(token)


class Batch(Schema):
    events: list[Any] = Field(..., max_length=MAX_BATCH, min_length=1)


class Result(Schema):
    index: int
    external_id: str | None
    status: Literal["created", "duplicate", "rejected"]
    reason: str = ""


class BatchResult(Schema):
    created: int
    duplicates: int
    rejected: int
    results: list[Result]


class Refusal(Schema):
    detail: str


@api.post(
    "/events",
    auth=TokenAuth(),
    response={200: BatchResult, 400: Refusal},
    summary="Post a batch of events",
)
def post_events(request: HttpRequest, batch: Batch) -> object:
    try:
        return services.events_ingest(organisation=request.auth.organisation, events=batch.events)
    except services.BatchRefused as refused:
        return api.create_response(request, {"detail": str(refused)}, status=400)
