"""Small text helpers for goals' translated words."""

from __future__ import annotations


def lowerfirst(value: object) -> str:
    """The text with its first letter in lower case and the rest as it is (unlike `lower`,
    which would wrongly lower every German noun of a translated label)."""
    text = str(value)
    return text[:1].lower() + text[1:]
