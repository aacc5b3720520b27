"""Reads for announcements in several languages: which versions exist and which one a
reader gets (their language's, else the original)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from programme.models import Announcement, AnnouncementTranslation, ContentLanguage

LANGUAGE_CODES = tuple(ContentLanguage.values)


@dataclass(frozen=True)
class Version:
    """One language version of an announcement: the original or a translation."""

    language: str
    title: str
    body: str
    body_html: str
    original: bool

    @property
    def language_name(self) -> str:
        return language_name(self.language)


def language_name(code: str) -> str:
    """The language's own name ("Deutsch"), as a language switch shows it."""
    return ContentLanguage(code).label if code in LANGUAGE_CODES else code


def language_code(language: str | None) -> str:
    """'fr-ch' -> 'fr'; anything not among the five -> ''."""
    code = (language or "").split("-")[0].lower()
    return code if code in LANGUAGE_CODES else ""


def reader_language(membership: object) -> str:
    """The language a person reads in: theirs, else their organisation's (what their pages
    are shown in too)."""
    from programme.i18n import language_of

    return language_code(language_of(membership.user, membership.organisation))


def writer_language(membership: object) -> str:
    """The language a person writes in by default: theirs, else their organisation's."""
    return reader_language(membership) or "en"


def _original(announcement: Announcement) -> Version:
    return Version(announcement.language, announcement.title, announcement.body,
                   announcement.body_html, True)  # fmt: skip


def announcement_versions(announcement: Announcement) -> list[Version]:
    """The original first, then each translation by language (one query, or none when the
    translations were prefetched)."""
    return [_original(announcement)] + [
        Version(t.language, t.title, t.body, t.body_html, False)
        for t in announcement.translations.all()
    ]


def version_for(versions: list[Version], language: str | None) -> Version:
    """The version in `language`, falling back to the original."""
    wanted = language_code(language)
    return next((v for v in versions if v.language == wanted), versions[0])


def announcement_version(announcement: Announcement, language: str | None) -> Version:
    return version_for(announcement_versions(announcement), language)


def with_shown_title(rows: QuerySet, language: str | None, *, through: str = "") -> QuerySet:
    """Annotate `shown_title` and `shown_language`: the announcement's title in `language`
    where a translation exists, else the original's. A subquery in the same query, so a list
    costs no query more. `through` reaches the announcement from another model's rows
    ("announcement" for recipients)."""
    pk = f"{through}__pk" if through else "pk"
    field = f"{through}__" if through else ""
    translated = AnnouncementTranslation.objects.filter(
        announcement=OuterRef(pk), language=language_code(language)
    )
    return rows.annotate(
        shown_title=Coalesce(Subquery(translated.values("title")[:1]), F(f"{field}title")),
        shown_language=Coalesce(Subquery(translated.values("language")[:1]), F(f"{field}language")),
    )


__all__ = [
    "Version",
    "announcement_version",
    "announcement_versions",
    "language_code",
    "language_name",
    "reader_language",
    "version_for",
    "with_shown_title",
    "writer_language",
]
