"""Picks in several languages (#20): marketing writes a pick's title, description and angle
in other languages; each seller reads the pick in theirs, else in the original. Uptake and
clicks stay the pick's, whatever version was read."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from programme.models import ContentLanguage, Membership
from programme.selectors.translations import language_code, language_name
from showcase import policies
from showcase.models import MarketingPick, MarketingPickTranslation
from showcase.services import blocked_words_refuse


@dataclass(frozen=True)
class PickVersion:
    language: str
    title: str
    note: str
    angle: str
    original: bool

    @property
    def language_name(self) -> str:
        return language_name(self.language)


def pick_versions(pick: MarketingPick) -> list[PickVersion]:
    """The original first, then each translation by language (one query)."""
    return [PickVersion(pick.language, pick.title, pick.note, pick.angle, True)] + [
        PickVersion(t.language, t.title, t.note, t.angle, False) for t in pick.translations.all()
    ]


def picks_in_language(picks: list[MarketingPick], language: str | None) -> list[MarketingPick]:
    """Show each pick in `language` where marketing translated it: its title, description
    and angle replaced on these display copies (never saved), `shown_language` set. One
    query for the whole list. A translation without a title keeps the original's."""
    wanted = language_code(language)
    found = {
        t.pick_id: t
        for t in MarketingPickTranslation.objects.filter(
            pick__in=[p.pk for p in picks], language=wanted
        )
    }
    for pick in picks:
        translation = found.get(pick.pk)
        pick.shown_language = pick.language
        if translation is not None:
            pick.title = translation.title or pick.title
            pick.note, pick.angle = translation.note, translation.angle
            pick.shown_language = wanted
    return picks


def _check(pick: MarketingPick, by: Membership, language: str) -> None:
    if not policies.can_translate_pick(by) or by.organisation_id != pick.organisation_id:
        raise PermissionDenied(gettext("Marketing translates its picks."))
    if language not in ContentLanguage.values:
        raise ValidationError({"language": gettext("Choose one of the languages offered.")})
    if language == pick.language:
        raise ValidationError(
            {"language": gettext("The pick is written in this language already.")}
        )


def pick_translation_save(
    *, pick: MarketingPick, by: Membership, language: str, title: str, note: str,
    angle: str = "",
) -> MarketingPickTranslation:  # fmt: skip
    """Add the pick's words in `language`, or change them."""
    _check(pick, by, language)
    if not note.strip():
        raise ValidationError(
            {"note": gettext("Say in a line what it is and why it matters to a buyer.")}
        )
    blocked_words_refuse(pick.organisation_id, {"title": title, "note": note, "angle": angle})
    translation, _ = MarketingPickTranslation.objects.update_or_create(
        pick=pick,
        language=language,
        defaults={
            "title": title.strip()[:200],
            "note": note.strip()[:300],
            "angle": angle.strip()[:500],
            "written_by": by,
        },
    )
    return translation


def pick_translation_delete(*, pick: MarketingPick, by: Membership, language: str) -> bool:
    _check(pick, by, language)
    deleted, _ = MarketingPickTranslation.objects.filter(pick=pick, language=language).delete()
    return bool(deleted)


def translation_links(picks: list[MarketingPick]) -> None:
    """For marketing's list: each pick's `translation_links`, (code, name, exists) for every
    language but the original's. One query."""
    present: dict[int, set[str]] = {}
    for pick_id, language in MarketingPickTranslation.objects.filter(
        pick__in=[p.pk for p in picks]
    ).values_list("pick_id", "language"):
        present.setdefault(pick_id, set()).add(language)
    for pick in picks:
        pick.translation_links = [
            (code, label, code in present.get(pick.pk, set()))
            for code, label in ContentLanguage.choices
            if code != pick.language
        ]
