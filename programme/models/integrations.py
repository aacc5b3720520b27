"""Integrations: Teams and Slack channels and signed webhooks, fed through one outbox.

An `Endpoint` is an address the organisation's admin configured; nothing is ever sent
anywhere else. An `OutboxMessage` is one message for one endpoint: written in the same
transaction as the change it reports, delivered by `programme.services.integrations
.outbox_deliver`, and kept as the endpoint's delivery log.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme.models.core import Membership, Organisation, Team, TimeStamped


class EndpointKind(models.TextChoices):
    # Translators: product names (Microsoft Teams, Slack) usually stay as they are.
    TEAMS = "teams", _("Microsoft Teams")
    SLACK = "slack", _("Slack")
    WEBHOOK = "webhook", _("Signed webhook")


class Endpoint(TimeStamped):
    """A Teams workflow URL, a Slack incoming-webhook URL, or a signed webhook.

    `secret` (webhooks only) signs each body; it is shown to the admin once, when created.
    `failure_count` counts consecutive failed attempts; `flagged_at` is set (and the admins
    told) when it reaches FLAG_AFTER, and cleared by the next delivery that works."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="integration_endpoints"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=EndpointKind.choices)
    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, blank=True)
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    failure_count = models.PositiveIntegerField(default=0)
    flagged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            # A webhook belongs to the organisation; channels may belong to one team.
            models.CheckConstraint(
                condition=Q(team__isnull=True) | ~Q(kind="webhook"),
                name="endpoint_webhook_has_no_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutboxStatus(models.TextChoices):
    # Translators: the status of one message to a Teams, Slack or webhook address.
    QUEUED = "queued", pgettext_lazy("delivery status", "Queued")
    SENDING = "sending", pgettext_lazy("delivery status", "Sending")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed, will retry")
    DEAD = "dead", pgettext_lazy("delivery status", "Gave up")


class OutboxMessage(models.Model):
    """One message for one endpoint, and its delivery record.

    `object_key` names what the event is about (an announcement's code, a week): with the
    endpoint and the event it is unique, so publishing the same thing twice queues it once.
    `key` is sent as the `Idempotency-Key` header so a receiver can drop a repeat."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(max_length=40)
    object_key = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "object_key"], name="outbox_once_per_object"
            ),
        ]
        indexes = [
            # The sender's claim: "due rows, queued / failed / sending past their lease".
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "failed", "sending"]),
                name="outbox_due_idx",
            ),
            # The delivery log: an endpoint's last 50 messages.
            models.Index(fields=["endpoint", "-created_at"], name="outbox_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


__all__ = ["Endpoint", "EndpointKind", "OutboxMessage", "OutboxStatus"]
