"""Blocked words: the organisation's list of words that hold a text for moderation."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme import policies
from programme.blocked_words import word_key
from programme.models import AuditAction, BlockedWord, Membership
from programme.services.audit import audit_record

__all__ = ["BLOCKED_WORDS_MAX", "blocked_word_add", "blocked_word_remove"]

# A short list someone reads through: past a few hundred words moderation is the wrong tool.
BLOCKED_WORDS_MAX = 200
_WORD_MAX = BlockedWord._meta.get_field("word").max_length


def blocked_word_add(*, by: Membership, word: str) -> BlockedWord:
    """Add a word or phrase to the actor's organisation's list. Refused with a message saying
    why (empty, too long, no letter, already there, list full); nothing changes then."""
    policies.require(
        policies.can_edit_blocked_words(by),
        by,
        by.organisation_id,
        "Only a consultant or an administrator edits the blocked words.",
    )
    word = " ".join(word.split())
    key = word_key(word)
    if not key:
        raise ValidationError(_("Type a word or a phrase."))
    if len(word) > _WORD_MAX:
        raise ValidationError(
            ngettext(
                "A blocked word or phrase is at most %(max)d character.",
                "A blocked word or phrase is at most %(max)d characters.",
                _WORD_MAX,
            )
            % {"max": _WORD_MAX}
        )
    if not re.search(r"\w", key):
        raise ValidationError(_("A blocked word needs at least one letter or digit."))
    existing = BlockedWord.objects.filter(organisation_id=by.organisation_id)
    same = existing.filter(key=key).first()
    if same is not None:
        raise ValidationError(
            _("“%(word)s” is on the list already (as “%(existing)s”).")
            % {"word": word, "existing": same.word}
        )
    if existing.count() >= BLOCKED_WORDS_MAX:
        raise ValidationError(
            ngettext(
                "The list holds at most %(max)d word: remove one first.",
                "The list holds at most %(max)d words: remove one first.",
                BLOCKED_WORDS_MAX,
            )
            % {"max": BLOCKED_WORDS_MAX}
        )
    try:
        with transaction.atomic():
            added = BlockedWord.objects.create(
                organisation_id=by.organisation_id, word=word, key=key, added_by=by
            )
            audit_record(
                organisation=by.organisation_id, action=AuditAction.SETTINGS_CHANGED, actor=by,
                details={"setting": "blocked words", "added": word},
            )  # fmt: skip
            return added
    except IntegrityError:  # the same word added at the same moment by someone else
        raise ValidationError(_("“%(word)s” is on the list already.") % {"word": word}) from None


def blocked_word_remove(*, by: Membership, word: BlockedWord) -> None:
    policies.require(
        policies.can_edit_blocked_words(by),
        by,
        word.organisation_id,
        "Only a consultant or an administrator edits the blocked words.",
    )
    with transaction.atomic():
        deleted, _by_kind = BlockedWord.objects.filter(
            pk=word.pk, organisation_id=by.organisation_id
        ).delete()
        if deleted:
            audit_record(
                organisation=by.organisation_id, action=AuditAction.SETTINGS_CHANGED, actor=by,
                details={"setting": "blocked words", "removed": word.word},
            )  # fmt: skip
