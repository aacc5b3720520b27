"""Moderation: the words an organisation does not want shown without a look first."""

from __future__ import annotations

import uuid

from django.db import models

from programme.models.core import Membership, Organisation, TimeStamped


class BlockedWord(TimeStamped):
    """A word or phrase that holds a text for moderation (kick-off concerns, later picks and
    cases). `key` is its matching form (case and accents folded), unique per organisation, so
    "Idiot" and "idiót" are one entry."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="blocked_words"
    )
    word = models.CharField(max_length=60)
    key = models.CharField(max_length=120, editable=False)
    added_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="blocked_word_once"),
        ]

    def __str__(self) -> str:
        return self.word


__all__ = ["BlockedWord"]
