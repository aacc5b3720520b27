"""The ingestion API (django-ninja): batches of events from other systems, per-organisation tokens.

OpenAPI schema at /api/v1/openapi.json, browsable docs at /api/v1/docs (served locally).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.security import HttpBearer

from metrics import services
from metrics.ingest import LINKEDIN_FOUNDED, Event, EventWriter, Summary
from metrics.models import ApiToken, EventKind, EventSource
from programme.models import Organisation, Participant

MAX_BATCH = 1000

api = NinjaAPI(
    title="Snowball ingestion API",
    version="1",
    urls_namespace="metrics-api",
    description="Post activity events in batches of up to 1,000. Each event needs an "
    "external_id unique within your organisation: posting it again is reported as a duplicate "
    "and changes nothing.",
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


def _validate(raw: dict[str, Any], people: dict[str, Participant]) -> Event:
    external_id = raw.get("external_id")
    if not isinstance(external_id, str) or not 1 <= len(external_id) <= 200:
        raise ValueError("external_id must be a string of 1 to 200 characters")
    participant = people.get(str(raw.get("email", "")).strip().lower())
    if participant is None:
        raise ValueError("email does not belong to anyone in this organisation")
    kind = raw.get("kind")
    if kind not in EventKind.values:
        raise ValueError(f"kind must be one of: {', '.join(EventKind.values)}")
    try:
        occurred_at = datetime.fromisoformat(str(raw.get("occurred_at", "")))
    except ValueError:
        raise ValueError("occurred_at must be an ISO 8601 date-time") from None
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=UTC)
    if not LINKEDIN_FOUNDED <= occurred_at <= timezone.now() + timedelta(days=1):
        raise ValueError("occurred_at is impossible (before 2003 or in the future)")
    quantity = raw.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 10**9:
        raise ValueError("quantity must be a whole number from 0")
    value = raw.get("value")
    if value is not None:
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("value must be a number") from None
        if not value.is_finite() or abs(value) >= 10**12:
            raise ValueError("value is out of range")
    url = raw.get("url") or ""
    if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
        raise ValueError("url must be an http(s) address")
    via = raw.get("via_linkedin")
    if via is not None and not isinstance(via, bool):
        raise ValueError("via_linkedin must be true, false or absent")
    return Event(
        participant_id=participant.pk, kind=kind, occurred_at=occurred_at,
        external_id=external_id, quantity=quantity, value=value, url=url[:500], via_linkedin=via,
    )  # fmt: skip


def ingest(organisation: Organisation, events: list[dict[str, Any]]) -> BatchResult:
    emails = {str(e.get("email", "")).strip().lower() for e in events if isinstance(e, dict)}
    people = {
        p.membership.user.email: p
        for p in Participant.objects.filter(
            organisation=organisation, membership__user__email__in=emails
        ).select_related("membership__user")
    }
    results: list[Result] = []
    valid: list[tuple[int, Event]] = []
    seen: set[str] = set()
    for index, raw in enumerate(events):
        if not isinstance(raw, dict):
            results.append(Result(index=index, external_id=None, status="rejected",
                                  reason="each event must be an object"))  # fmt: skip
            continue
        try:
            event = _validate(raw, people)
        except ValueError as exc:
            external_id = (
                raw.get("external_id") if isinstance(raw.get("external_id"), str) else None
            )
            results.append(
                Result(index=index, external_id=external_id, status="rejected", reason=str(exc))
            )
            continue
        if event.external_id in seen:
            results.append(Result(index=index, external_id=event.external_id, status="duplicate",
                                  reason="repeated in this batch"))  # fmt: skip
            continue
        seen.add(event.external_id)
        valid.append((index, event))
    summary = Summary()
    writer = EventWriter(organisation=organisation, source=EventSource.API, summary=summary)
    with transaction.atomic():
        for _, event in valid:
            writer.add(event)
        created = set(writer.flush(returning=True))
    for index, event in valid:
        status = "created" if event.external_id in created else "duplicate"
        results.append(Result(index=index, external_id=event.external_id, status=status))
    results.sort(key=lambda r: r.index)
    return BatchResult(
        created=sum(r.status == "created" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        rejected=sum(r.status == "rejected" for r in results),
        results=results,
    )


@api.post("/events", auth=TokenAuth(), response=BatchResult, summary="Post a batch of events")
def post_events(request: HttpRequest, batch: Batch) -> BatchResult:
    return ingest(request.auth.organisation, batch.events)
