"""Rendered fragments of the showcase kept in the cache, keyed by what they show (issue #21).

The feed is the most requested page of the load test; its twenty cards cost more CPU to render
than the query that finds them (~7 ms of ~20 ms, bench/page_profile.py). A card depends only on
its case's row and counts, the reader's language and zone, and the page's few flags: keyed by a
digest of exactly those, a rendered page of cards is reused by every reader who gets the same
cases (the visibility rules decided which, in the query) until one of them changes, with no
invalidation to forget. What a key cannot see (an author renamed, a team renamed) shows within
FRAGMENT_SECONDS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.utils import timezone, translation

FRAGMENT_SECONDS = 600
# Bump when the cards' markup changes, so no page shows cards rendered by the old template.
CARDS_VERSION = 1


def feed_cards_key(cases: Iterable, *flags: object) -> str:
    """The digest naming one rendered page of feed cards: each case's identity, last change,
    visibility state and counts, the reader's language and zone, and the page's `flags`."""
    state = [
        (
            case.pk,
            case.updated_at.isoformat(),
            case.hidden_at is not None,
            case.reaction_count,
            case.comment_count,
            case.author_id,
            getattr(case.author, "team_id", None),
        )
        for case in cases
    ]
    parts = (
        CARDS_VERSION,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        state,
        flags,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
