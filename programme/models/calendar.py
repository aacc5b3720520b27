"""Calendar invitations and private calendar feeds (README "Calendar")."""

from __future__ import annotations

import uuid

from django.db import models

from programme.models.core import Membership, Organisation, TimeStamped


class CalendarEntry(models.Model):
    """One calendar event as its attendees last received it: the UID their calendars file it
    under, its SEQUENCE (raised on every change, so calendars replace their copy) and a digest
    of its content (so a save that changes nothing sends nothing)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=200)
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    # The event as last sent: a CANCEL after the session is deleted is built from it.
    snapshot = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "uid"], name="calendar_entry_unique_uid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uid} (sequence {self.sequence})"


class CalendarInvite(models.Model):
    """What one attendee was last sent for an entry: the content digest (a REQUEST goes again
    only when it differs) or a cancellation."""

    entry = models.ForeignKey(CalendarEntry, on_delete=models.CASCADE, related_name="invites")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64, blank=True)
    cancelled = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "membership"], name="calendar_invite_unique_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} for {self.entry_id}"


class CalendarFeedToken(TimeStamped):
    """A person's private calendar feed address. Only the SHA-256 of its secret is stored; the
    address is shown once. At most one live token per person; revoking makes it answer 404."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.membership_id})"


__all__ = ["CalendarEntry", "CalendarFeedToken", "CalendarInvite"]
