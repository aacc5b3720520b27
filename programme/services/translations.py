"""Announcements in several languages: a drafter adds, changes or removes a translation of a
draft (title and Markdown body, rendered and sanitised as the original is). Publication fixes
them with the original; reach, reminders and questions stay the announcement's, whatever
version each person reads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from programme import policies
from programme.markdown import render_markdown
from programme.models import Announcement, AnnouncementTranslation, ContentLanguage, Membership
from programme.policies import require


def _check(announcement: Announcement, by: Membership, language: str) -> None:
    require(
        policies.can_translate_announcement(by),
        by,
        announcement.organisation_id,
        gettext("Only the sponsor or a consultant translates announcements."),
    )
    if announcement.status != Announcement.Status.DRAFT:
        raise ValidationError(gettext("A published announcement can no longer be changed."))
    if language not in ContentLanguage.values:
        raise ValidationError({"language": gettext("Choose one of the languages offered.")})
    if language == announcement.language:
        raise ValidationError(
            {"language": gettext("The original is in this language: edit the draft itself.")}
        )


def announcement_translation_save(
    *, announcement: Announcement, by: Membership, language: str, title: str, body: str
) -> AnnouncementTranslation:
    """Add the translation into `language`, or change it."""
    _check(announcement, by, language)
    return translation_write(announcement, by, language, title, body)


def translation_write(
    announcement: Announcement, by: Membership | None, language: str, title: str, body: str
) -> AnnouncementTranslation:
    """Write a translation without the draft's checks: for the service above, once checked,
    and for the demo, whose announcements are published by the command that creates them."""
    translation, _ = AnnouncementTranslation.objects.update_or_create(
        announcement=announcement,
        language=language,
        defaults={
            "title": title,
            "body": body,
            "body_html": render_markdown(body),
            "written_by": by,
        },
    )
    return translation


def announcement_translation_delete(
    *, announcement: Announcement, by: Membership, language: str
) -> bool:
    """Remove the translation into `language`; False if there was none."""
    _check(announcement, by, language)
    deleted, _ = AnnouncementTranslation.objects.filter(
        announcement=announcement, language=language
    ).delete()
    return bool(deleted)


__all__ = ["announcement_translation_delete", "announcement_translation_save"]
