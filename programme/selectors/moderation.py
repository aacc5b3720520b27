"""Reads for moderation: the organisation's blocked words."""

from __future__ import annotations

from django.db.models import QuerySet

from programme.models import BlockedWord, Organisation

__all__ = ["blocked_words_of"]


def blocked_words_of(organisation: Organisation) -> QuerySet[BlockedWord]:
    return BlockedWord.objects.filter(organisation=organisation).select_related("added_by__user")
