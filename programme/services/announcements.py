"""Announcements in the sponsor's voice: drafts, publication, delivery, reading, questions.

Each write a person makes takes the acting membership (`author`, `publisher`, `by`) and asks
`programme.policies` itself; sending and reminding e-mails run in tasks, after that check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from psycopg2.extras import Json

from programme import policies
from programme.anonymous import anonymous_enqueue, register_anonymous_writer, write_items
from programme.i18n import language_of
from programme.markdown import render_markdown
from programme.models import (
    Announcement,
    AnnouncementRecipient,
    Audience,
    EmailKind,
    EmailMode,
    Membership,
    Notification,
    Programme,
    Question,
    Team,
    Wave,
)
from programme.policies import require
from programme.selectors.core import team_subtrees_ids
from programme.selectors.translations import announcement_version, writer_language
from programme.services import integrations
from programme.services.mailing import send_claimed_batches
from programme.services.notifications import effective_mode, effective_mode_sql
from programme.services.preferences import unsubscribe_token


def announcement_save(
    *,
    programme: Programme,
    author: Membership,
    title: str,
    body: str,
    audience: str,
    waves: Iterable[Wave] = (),
    teams: Iterable[Team] = (),
    announcement: Announcement | None = None,
) -> Announcement:
    """Create a draft, or change one that is still a draft."""
    require(
        policies.can_draft_announcement(author),
        author,
        programme.organisation_id,
        "Only the sponsor or a consultant drafts announcements.",
    )
    if announcement is None:
        announcement = Announcement(
            organisation_id=programme.organisation_id, programme=programme, drafted_by=author,
            language=writer_language(author),
        )  # fmt: skip
    elif announcement.status != Announcement.Status.DRAFT:
        raise ValidationError(gettext("A published announcement can no longer be changed."))
    announcement.title = title
    announcement.body = body
    announcement.body_html = render_markdown(body)
    announcement.audience = audience
    announcement.save()
    announcement.audience_waves.set(waves if audience == Audience.WAVES else [])
    announcement.audience_teams.set(teams if audience == Audience.TEAMS else [])
    return announcement


def _audience(announcement: Announcement) -> QuerySet[Membership]:
    members = Membership.objects.active().filter(organisation_id=announcement.organisation_id)
    if announcement.audience == Audience.WAVES:
        members = members.filter(
            participant__wave_memberships__wave__in=announcement.audience_waves.all()
        )
    elif announcement.audience == Audience.TEAMS:
        roots = announcement.audience_teams.values_list("pk", flat=True)
        members = members.filter(
            participant__team_id__in=team_subtrees_ids(announcement.organisation_id, roots)
        )
    return members


def announcement_audience_size(*, announcement: Announcement, publisher: Membership) -> int:
    """How many people publishing now would reach: the number the sponsor confirms. Counted
    as publication counts them (the sponsor excluded), so the two never disagree."""
    return _audience(announcement).exclude(pk=publisher.pk).distinct().count()


def announcement_publish(*, announcement: Announcement, publisher: Membership) -> int:
    """Publish in the sponsor's name and fix the audience; e-mails go out from a task.

    Returns the audience size. Only a sponsor may publish: checked here as well as in the
    view, so no other path can publish in someone else's name.
    """
    from programme import tasks

    require(
        policies.can_publish_announcement(publisher),
        publisher,
        announcement.organisation_id,
        "Only a sponsor can publish an announcement.",
    )
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.status != Announcement.Status.DRAFT:
            raise ValidationError(gettext("This announcement is already published."))
        if locked.audience != Audience.ORGANISATION and not (
            locked.audience_waves.exists() or locked.audience_teams.exists()
        ):
            raise ValidationError(gettext("Choose at least one wave or team to publish to."))
        # One set-based INSERT ... SELECT, whatever the audience size.
        audience = (
            _audience(locked)
            .exclude(pk=publisher.pk)  # the sponsor does not confirm reading their own words
            .annotate(rid=F("pk"), rteam=F("participant__team_id"))
            .values("rid", "rteam")
            .distinct()
        )
        sql, params = audience.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {AnnouncementRecipient._meta.db_table}
                    (announcement_id, membership_id, team_id, reminders_sent)
                SELECT %s, audience.rid, audience.rteam, 0 FROM ({sql}) AS audience
                ON CONFLICT ON CONSTRAINT recipient_unique_per_announcement DO NOTHING
                """,  # noqa: S608 - the inner SQL is Django's own, with bound parameters
                [locked.pk, *params],
            )
            size = cursor.rowcount
        # Translators: an in-app notification, shown in each reader's language; the title is
        # the announcement's.
        _notify_recipients(locked, gettext_noop("New announcement: %(title)s"))
        now = timezone.now()
        Announcement.objects.filter(pk=locked.pk).update(
            status=Announcement.Status.PUBLISHED,
            published_by=publisher,
            published_at=now,
            updated_at=now,
        )
        integrations.announcement_published(announcement, publisher=publisher)
        transaction.on_commit(lambda: tasks.announcement_send.delay(locked.pk))
    announcement.refresh_from_db()
    return size


def _notify_recipients(announcement: Announcement, text: str, *, unread_only: bool = False) -> None:
    """Everyone in the audience is told in-app (one INSERT ... SELECT), `text` (a msgid with
    %(title)s) shown in each reader's language. The e-mail is the
    announcement's own message for those who want it at once; the notification is e-mailed
    only to those who chose the digest, so it is marked e-mailed for everyone else."""
    mode_sql, mode_params = effective_mode_sql("r.membership_id", kind=EmailKind.ANNOUNCEMENT)
    link = reverse(
        "programme-announcement-detail",
        args=[announcement.programme.organisation.slug, announcement.code],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Notification._meta.db_table}
                    (organisation_id, recipient_id, kind, text, params, url, created_at,
                     emailed_at)
                SELECT %s, r.membership_id, %s, %s, %s, %s, now(),
                       CASE WHEN {mode_sql} = %s THEN NULL ELSE now() END
                FROM {AnnouncementRecipient._meta.db_table} r
                JOIN {Membership._meta.db_table} m ON m.id = r.membership_id
                WHERE r.announcement_id = %s AND m.deactivated_at IS NULL
                  AND (NOT %s OR r.acknowledged_at IS NULL)""",  # noqa: S608
            [
                announcement.organisation_id,
                EmailKind.ANNOUNCEMENT,
                text[:300],
                Json({"title": announcement.title}),
                link,
                *mode_params,
                EmailMode.DIGEST,
                announcement.pk,
                unread_only,
            ],
        )


def _recipient_of(row: AnnouncementRecipient) -> tuple[object, object]:
    return row.membership.user, row.announcement.programme.organisation


def _announcement_message(
    recipient: AnnouncementRecipient, mail_connection: object
) -> EmailMessage:
    announcement = recipient.announcement
    membership = recipient.membership
    link = settings.SITE_URL + reverse(
        "programme-announcement-detail",
        args=[announcement.programme.organisation.slug, announcement.code],
    )
    # The recipient's language version, else the original (translations prefetched per batch).
    version = announcement_version(
        announcement, language_of(membership.user, announcement.programme.organisation)
    )
    context = {
        "announcement": announcement,
        "version": version,
        "user": membership.user,
        "sponsor": announcement.published_by.user if announcement.published_by else None,
        "link": link,
        "reminder": recipient.reminders_sent > 0,
        "preferences": settings.SITE_URL
        + reverse("programme-email-preferences", args=[announcement.programme.organisation.slug]),
        "unsubscribe": settings.SITE_URL
        + reverse(
            "programme-email-unsubscribe",
            args=[unsubscribe_token(membership=membership, kind=EmailKind.ANNOUNCEMENT)],
        ),
    }
    subject = render_to_string("programme/email/announcement_subject.txt", context).strip()
    body = render_to_string("programme/email/announcement_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[membership.user.email],
        connection=mail_connection,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


_RECIPIENT_RELATED = (
    "membership__user",
    "announcement__programme__organisation",
    "announcement__published_by__user",
)


def wanting_it_now(recipients: QuerySet[AnnouncementRecipient]) -> QuerySet:
    """Those who want announcements e-mailed at once; the rest get the digest or nothing."""
    return recipients.alias(mode=effective_mode("membership", EmailKind.ANNOUNCEMENT)).filter(
        mode=EmailMode.IMMEDIATE
    )


def announcement_send(*, announcement_id: int) -> int:
    """E-mail everyone in the audience not e-mailed yet. Safe to run twice: nobody gets two."""

    def pending() -> QuerySet[AnnouncementRecipient]:
        return AnnouncementRecipient.objects.filter(
            announcement_id=announcement_id,
            announcement__status=Announcement.Status.PUBLISHED,
            emailed_at__isnull=True,
            membership__deactivated_at__isnull=True,  # left since publication: not e-mailed
        )

    return send_claimed_batches(
        pending=lambda: wanting_it_now(pending()),
        claim={"emailed_at": timezone.now()},
        release={"emailed_at": None},
        build=_announcement_message,
        related=_RECIPIENT_RELATED,
        prefetch=("announcement__translations",),
        recipient=_recipient_of,
    )


def announcement_remind(*, announcement: Announcement, by: Membership) -> int:
    """Start a reminder round for those who have not acknowledged; returns how many."""
    from programme import tasks

    require(
        policies.can_remind_announcement(by),
        by,
        announcement.organisation_id,
        "Only a sponsor can send reminders.",
    )
    if announcement.status != Announcement.Status.PUBLISHED:
        raise ValidationError(gettext("Only a published announcement can be reminded."))
    Announcement.objects.filter(pk=announcement.pk).update(reminder_rounds=F("reminder_rounds") + 1)
    # Translators: an in-app notification, shown in each reader's language; the title is the
    # announcement's.
    _notify_recipients(announcement, gettext_noop("Reminder: %(title)s"), unread_only=True)
    count = announcement.recipients.filter(
        acknowledged_at__isnull=True, membership__deactivated_at__isnull=True
    ).count()
    announcement_id = announcement.pk
    transaction.on_commit(lambda: tasks.announcement_send_reminders.delay(announcement_id))
    return count


def announcement_send_reminders(*, announcement_id: int) -> int:
    """One reminder per round to each person who has not acknowledged; never two per round."""
    rounds = (
        Announcement.objects.filter(pk=announcement_id)
        .values_list("reminder_rounds", flat=True)
        .first()
    )
    if not rounds:
        return 0

    def pending() -> QuerySet[AnnouncementRecipient]:
        return AnnouncementRecipient.objects.filter(
            announcement_id=announcement_id,
            acknowledged_at__isnull=True,
            reminders_sent__lt=rounds,
            membership__deactivated_at__isnull=True,  # leavers are not reminded
        )

    return send_claimed_batches(
        pending=lambda: wanting_it_now(pending()),
        claim={"reminders_sent": rounds},
        release={"reminders_sent": rounds - 1},
        build=_announcement_message,
        related=_RECIPIENT_RELATED,
        prefetch=("announcement__translations",),
        recipient=_recipient_of,
    )


def announcement_mark_opened(*, recipient: AnnouncementRecipient, by: Membership) -> None:
    require(
        policies.can_confirm_reading(by, recipient),
        by,
        by.organisation_id,
        "Only its recipient opens an announcement.",
    )
    if recipient.opened_at is None:
        AnnouncementRecipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


def announcement_acknowledge(*, recipient: AnnouncementRecipient, by: Membership) -> bool:
    """'I have read this'. Returns False if it was acknowledged already."""
    require(
        policies.can_confirm_reading(by, recipient),
        by,
        by.organisation_id,
        "Only its recipient confirms reading an announcement.",
    )
    now = timezone.now()
    AnnouncementRecipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(
        opened_at=now
    )
    return bool(
        AnnouncementRecipient.objects.filter(
            Q(pk=recipient.pk) & Q(acknowledged_at__isnull=True)
        ).update(acknowledged_at=now)
    )


def question_ask(
    *, announcement: Announcement, author: Membership, body: str, anonymous: bool
) -> Question:
    """Ask under an announcement. Anonymous: no author, and only the day is kept; the question
    is queued and written by the timer with others, shuffled (programme.anonymous), so the
    returned question is unsaved until then."""
    require(
        policies.can_ask_question(author, announcement),
        author,
        announcement.organisation_id,
        "Questions are asked under published announcements.",
    )
    asked_on = timezone.localdate()
    if anonymous:
        code = anonymous_enqueue(
            "question",
            {"announcement_id": announcement.pk, "body": body, "asked_on": asked_on.isoformat()},
        )
        return Question(
            code=code, organisation_id=announcement.organisation_id, announcement=announcement,
            body=body, asked_on=asked_on,
        )  # fmt: skip
    return Question.objects.create(
        organisation_id=announcement.organisation_id,
        announcement=announcement,
        author=author,
        body=body,
        asked_on=asked_on,
    )


def _anonymous_questions_write(items: list[dict]) -> None:
    write_items(
        items, model=Question, parent=Announcement, parent_key="announcement_id",
        build=lambda item, organisation_id: Question(
            code=item["code"], organisation_id=organisation_id,
            announcement_id=item["announcement_id"], body=item["body"],
            asked_on=date.fromisoformat(item["asked_on"]),
        ),
    )  # fmt: skip


register_anonymous_writer("question", _anonymous_questions_write)


def question_answer(*, question: Question, by: Membership, answer: str) -> None:
    require(
        policies.can_answer_question(by),
        by,
        question.organisation_id,
        "Only the sponsor or a consultant answers questions.",
    )
    question.answer = answer
    question.answered_by = by
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])


__all__ = [
    "announcement_acknowledge",
    "announcement_audience_size",
    "announcement_mark_opened",
    "announcement_publish",
    "announcement_remind",
    "announcement_save",
    "announcement_send",
    "announcement_send_reminders",
    "question_answer",
    "question_ask",
    "wanting_it_now",
]
