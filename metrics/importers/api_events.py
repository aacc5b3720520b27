"""Events posted to the ingestion API (JSON objects, one per event): each is checked on its own and
either becomes an Event or is rejected with a reason; a batch holding a NUL character is refused
whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from metrics.ingest import LINKEDIN_FOUNDED, Event
from metrics.models import EventKind
from programme.models import Participant

# The fields of an event that are read as text.
TEXT_FIELDS = ("external_id", "email", "kind", "occurred_at", "url")


class BatchRefused(ValueError):
    """The whole batch is refused (nothing is written); the message says why."""


def nul_check(events: list[Any]) -> None:
    """PostgreSQL cannot hold a NUL character (\\x00) in text, and no real id, address or date
    contains one: refuse the batch, naming the first event and field that holds one."""
    for index, raw in enumerate(events):
        if not isinstance(raw, dict):
            continue
        for name in TEXT_FIELDS:
            value = raw.get(name)
            if isinstance(value, str) and "\x00" in value:
                raise BatchRefused(
                    f"event {index}: {name} holds a NUL character (\\u0000), which no text "
                    "field may contain; nothing was written"
                )


def api_email(raw: dict[str, Any]) -> str:
    """The person an event is about, as the lookup by e-mail takes it."""
    return str(raw.get("email", "")).strip().lower()


def api_event(raw: dict[str, Any], people: dict[str, Participant], zone: tzinfo = UTC) -> Event:
    """One posted event, checked; ValueError says what is wrong with it. A date without a time,
    or a time without an offset, is the organisation's (`zone`), like every date-only source."""
    external_id = raw.get("external_id")
    if not isinstance(external_id, str) or not 1 <= len(external_id) <= 200:
        raise ValueError("external_id must be a string of 1 to 200 characters")
    participant = people.get(api_email(raw))
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
        occurred_at = occurred_at.replace(tzinfo=zone)
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
