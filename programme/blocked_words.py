"""Matching an organisation's blocked words: case- and accent-insensitive, whole words only.

In Python rather than SQL: the embedded PostgreSQL ships no `unaccent`, and the lists are a few
dozen words matched against a few sentences. Used by the kick-off (a concern holding one waits
for moderation) and meant for anything else people write for others to read (picks, cases).
"""

from __future__ import annotations

import re
import unicodedata

from programme.models import BlockedWord, Organisation


def word_key(text: str) -> str:
    """The matching form: accents stripped, case folded, spaces collapsed ("Idiót " -> "idiot").

    NFKD splits a letter from its accent; the accents (combining marks) are then dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def _pattern(keys: list[str]) -> re.Pattern[str]:
    # Whole words: not preceded or followed by a letter or digit ("ass" is not in "class").
    # A phrase matches whatever spaces separate its words.
    alternatives = sorted(
        (r"\s+".join(re.escape(part) for part in key.split()) for key in keys),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def blocked_words_in(organisation: Organisation | int, *texts: str) -> list[str]:
    """The organisation's blocked words (as the list spells them) found in `texts`, in the
    list's order; empty when none is there. One query."""
    organisation_id = getattr(organisation, "pk", organisation)
    words = list(
        BlockedWord.objects.filter(organisation_id=organisation_id).values_list("key", "word")
    )
    return blocked_words_among(words, *texts)


def blocked_words_among(words: list[tuple[str, str]], *texts: str) -> list[str]:
    """`blocked_words_in` for a list already read: (key, word) pairs. Batch writers read each
    organisation's list once."""
    if not words:
        return []
    # " | " between texts: a phrase never matches across two of them.
    haystack = word_key(" | ".join(text for text in texts if text))
    if not haystack:
        return []
    found = {word_key(match) for match in _pattern([key for key, _ in words]).findall(haystack)}
    return [word for key, word in words if key in found]


def blocked_words_by_organisation(organisation_ids: set[int]) -> dict[int, list[tuple[str, str]]]:
    """Each organisation's list, as (key, word) pairs for `blocked_words_among`: one query for
    a batch that spans organisations."""
    lists: dict[int, list[tuple[str, str]]] = {}
    if not organisation_ids:
        return lists
    rows = BlockedWord.objects.filter(organisation_id__in=organisation_ids).order_by("key")
    for organisation_id, key, word in rows.values_list("organisation_id", "key", "word"):
        lists.setdefault(organisation_id, []).append((key, word))
    return lists
