"""Demo integrations for Acme: one Teams channel and one signed webhook, both switched off.

Their addresses are under example.invalid (a name that never resolves) and they are inactive,
so the outbox never tries them: the delivery logs below are written as they would look after
a few weeks (sent, retried, given up), not produced by sending anything."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from programme.demo import register_demo_seeder
from programme.models import Endpoint, EndpointKind, Organisation, OutboxMessage, OutboxStatus
from programme.services.integrations import render_payload

DEMO_KEY_PREFIX = "demo-"


@register_demo_seeder
def seed_integrations(acme: Organisation) -> None:
    now = timezone.now()
    teams, _ = Endpoint.objects.get_or_create(
        organisation=acme, name="Sales wins (Teams)",
        defaults={"kind": EndpointKind.TEAMS, "active": False,
                  "url": "https://acme.example.invalid/workflows/sales-wins"},
    )  # fmt: skip
    webhook, _ = Endpoint.objects.get_or_create(
        organisation=acme, name="IT provisioning",
        defaults={"kind": EndpointKind.WEBHOOK, "active": False,
                  "url": "https://it.acme.example.invalid/snowball/events",
                  "secret": "0" * 64,
                  "events": ["import.finished", "milestone.celebrated", "person.deactivated"]},
    )  # fmt: skip
    rows = [
        (teams, "announcement.published", 9, OutboxStatus.SENT, 1, 200, "",
         {"title": "Why we are doing this", "text": "From Claire Martin: our programme starts."}),
        (teams, "kickoff.opened", 6, OutboxStatus.SENT, 2, 200, "",
         {"title": "Kick-off open: EMEA sellers", "text": "Join with code ABC123."}),
        (teams, "team.weekly_summary", 2, OutboxStatus.FAILED, 2, 502, "HTTP 502",
         {"title": "Nordics: the week", "text": "8 of 12 people active."}),
        (webhook, "import.finished", 5, OutboxStatus.SENT, 1, 204, "",
         {"data": {"kind": "linkedin_export", "status": "done", "created": 412}}),
        (webhook, "milestone.celebrated", 3, OutboxStatus.DEAD, 6, None,
         "URLError: <urlopen error [Errno -2] Name or service not known>",
         {"data": {"kind": "first_meeting", "consent": "public"}}),
    ]  # fmt: skip
    for index, (endpoint, event, days, status, attempts, code, error, context) in enumerate(rows):
        at = now - timedelta(days=days)
        OutboxMessage.objects.get_or_create(
            endpoint=endpoint, event=event, object_key=f"{DEMO_KEY_PREFIX}{index}",
            defaults={
                "organisation": acme, "status": status, "attempts": attempts,
                "payload": render_payload(endpoint.kind, event, context, acme, at),
                "next_attempt_at": at + timedelta(hours=2), "created_at": at,
                "sent_at": at + timedelta(seconds=2) if status == OutboxStatus.SENT else None,
                "response_status": code, "last_error": error,
            },
        )  # fmt: skip
    Endpoint.objects.filter(pk=webhook.pk).update(
        failure_count=6, flagged_at=now - timedelta(days=2)
    )
