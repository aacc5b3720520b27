"""Notifications: told in-app always, by e-mail as each person's preference for the kind says.

- immediate: one e-mail per notification, sent by a task right after the commit (and by beat's
  sweep if the broker was down);
- digest: gathered into one e-mail a day per person, from 07:00 in the organisation's time zone;
- off: in-app only.

Announcements carry their own richer e-mail; their notification rows are only e-mailed when the
person chose the digest (see announcements.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urldefrag

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Case, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from psycopg2.extras import Json

from programme.models import (
    DailyDigest,
    EmailKind,
    EmailMode,
    EmailPreference,
    Membership,
    Notification,
    Organisation,
)
from programme.services.mailing import send_claimed_batches
from programme.services.preferences import KIND_MODES, unsubscribe_token
from programme.tenancy import organisation_zone

DIGEST_FROM_HOUR = 7  # local time
# Older unsent notifications are not e-mailed any more (e.g. after turning a kind back on).
EMAIL_WINDOW = timedelta(days=7)
# Kinds whose immediate e-mail is the generic one built here.
GENERIC_IMMEDIATE = (
    EmailKind.CASE_ACTIVITY, EmailKind.CELEBRATION, EmailKind.MARKETING_PICK, EmailKind.OKRI,
    EmailKind.INTEGRATION,
)  # fmt: skip

__all__ = [
    "DIGEST_FROM_HOUR",
    "NotificationGroup",
    "daily_digests_send",
    "digest_backlog_settle",
    "digest_day",
    "effective_mode",
    "effective_mode_sql",
    "notification_groups",
    "notifications_mark_read",
    "notifications_send_immediate",
    "notifications_withdraw",
    "notify",
    "notify_members",
    "organisations_with_unsent",
]


def effective_mode(membership_ref: str, kind: str | None = None, kind_ref: str | None = None):
    """An ORM expression for a person's mode for a kind: their stored choice or its default."""
    prefs = EmailPreference.objects.filter(membership=OuterRef(membership_ref))
    if kind is not None:
        prefs, default = prefs.filter(kind=kind), Value(KIND_MODES[kind][0])
    else:
        prefs = prefs.filter(kind=OuterRef(kind_ref))
        default = Case(*[When(**{kind_ref: k}, then=Value(m[0])) for k, m in KIND_MODES.items()])
    return Coalesce(Subquery(prefs.values("mode")[:1]), default)


def effective_mode_sql(
    membership_sql: str, kind_sql: str | None = None, kind: str | None = None
) -> tuple[str, list[str]]:
    """The same in raw SQL, with its parameters: for the kind in column `kind_sql`, or for one
    given `kind`."""
    prefs = f"SELECT ep.mode FROM {EmailPreference._meta.db_table} ep"  # noqa: S608
    if kind is not None:
        sql = f"COALESCE(({prefs} WHERE ep.membership_id = {membership_sql} AND ep.kind = %s), %s)"
        return sql, [kind, KIND_MODES[kind][0]]
    whens = " ".join(f"WHEN {kind_sql} = %s THEN %s" for _ in KIND_MODES)
    params = [value for each, modes in KIND_MODES.items() for value in (each, modes[0])]
    sql = f"""COALESCE(({prefs} WHERE ep.membership_id = {membership_sql}
                                 AND ep.kind = {kind_sql}), CASE {whens} END)"""
    return sql, params


def notify(
    *, recipient: Membership, kind: str, text: str, url: str = "", params: dict | None = None
) -> Notification | None:
    """Tell one person about something; e-mails them at once if that is what they chose.

    `text` is the English message marked with gettext_noop, `params` its placeholders' values:
    the reader sees it in their language (`Notification.message`). A leaver (#18) is told
    nothing: None."""
    if recipient.deactivated_at is not None:
        return None
    notification = Notification.objects.create(
        organisation_id=recipient.organisation_id,
        recipient=recipient,
        kind=kind,
        text=text[:300],
        params=params or {},
        url=url[:300],
    )
    _queue_immediate(recipient.organisation_id, kind)
    return notification


def notify_members(
    *,
    organisation_id: int,
    recipients: QuerySet[Membership],
    kind: str,
    text: str,
    url: str = "",
    params: dict | None = None,
) -> int:
    """Tell many people the same thing in one INSERT ... SELECT, whatever their number:
    `recipients` is a queryset of memberships, filtered here to the organisation. The in-app
    notification is always written; e-mail follows each recipient's choice for the kind, the
    immediate ones queued when the transaction commits. Leavers (#18) are left out, whatever
    the caller chose. Returns how many were told."""
    members_sql, members_params = (
        recipients.filter(organisation_id=organisation_id, deactivated_at__isnull=True)
        .values("pk")
        .distinct()
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Notification._meta.db_table}
                    (organisation_id, recipient_id, kind, text, params, url, created_at)
                SELECT %s, chosen.id, %s, %s, %s, %s, now()
                FROM ({members_sql}) AS chosen (id)""",  # noqa: S608
            [organisation_id, kind, text[:300], Json(params or {}), url[:300], *members_params],
        )
        told = cursor.rowcount
    if told:
        _queue_immediate(organisation_id, kind)
    return told


def _queue_immediate(organisation_id: int, kind: str) -> None:
    """Send the immediate e-mails of this organisation once the writing transaction commits
    (beat's sweep catches them if the broker is down)."""
    if kind in GENERIC_IMMEDIATE:
        from programme import tasks

        transaction.on_commit(lambda: tasks.notifications_send_immediate.delay(organisation_id))


def notifications_mark_read(*, membership: Membership) -> int:
    return Notification.objects.filter(recipient=membership, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- The inbox: one line per kind and object ---


@dataclass
class NotificationGroup:
    """Notifications of one kind about one object (a case, an announcement, the picks...),
    newest first. `title` is what the inbox line says."""

    kind: str
    url: str
    items: list[Notification] = field(default_factory=list)
    title: str = ""

    @property
    def latest(self) -> Notification:
        return self.items[0]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.read_at is None)

    @property
    def kind_label(self) -> str:
        return EmailKind(self.kind).label


# Quoted words as each language quotes them: “English”, „German and Czech“, ”Swedish”,
# « French » (notification texts are translated, the quotes with them).
_QUOTED = re.compile(r"(?:[“”„]|«\s?)([^“”„«»]+?)(?:[”“]|\s?»)")


def _object_name(item: Notification) -> str:
    """The object a notification is about: its `title` parameter; in older rows the text's
    last “quoted” words (a case's title), or what follows the first colon (an announcement's)."""
    if item.params.get("title"):
        return str(item.params["title"])
    text = item.text
    quoted = _QUOTED.findall(text)
    if quoted:
        return quoted[-1]
    return text.split(": ", 1)[1] if ": " in text else ""


def _group_title(group: NotificationGroup) -> str:
    count, latest = group.count, group.latest.message
    if count == 1:
        return latest
    name = _object_name(group.latest)
    if group.kind == EmailKind.CASE_ACTIVITY and name:
        return ngettext(
            "%(count)d comment or reaction on “%(name)s”",
            "%(count)d comments and reactions on “%(name)s”",
            count,
        ) % {"count": count, "name": name}
    if group.kind == EmailKind.ANNOUNCEMENT and name:
        return ngettext(
            "%(count)d message about the announcement “%(name)s”",
            "%(count)d messages about the announcement “%(name)s”",
            count,
        ) % {"count": count, "name": name}
    if group.kind == EmailKind.MARKETING_PICK:
        return ngettext(
            "%(count)d pick from marketing to share",
            "%(count)d picks from marketing to share",
            count,
        ) % {"count": count}
    return latest  # the newest says it; "Show all" under it gives the count


def notification_groups(items: list[Notification]) -> list[NotificationGroup]:
    """Group an inbox (newest first) by kind and object, the object being the link without its
    #fragment (every comment on a case links to the case). Pure: no query, so the page's
    query count does not grow with the number of notifications."""
    groups: dict[tuple[str, str], NotificationGroup] = {}
    for item in items:
        url = urldefrag(item.url).url
        key = (item.kind, url)
        if key not in groups:
            groups[key] = NotificationGroup(kind=item.kind, url=item.url or url)
        groups[key].items.append(item)
    for group in groups.values():
        group.title = _group_title(group)
    return list(groups.values())


def _recent_unsent(organisation_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(
        organisation_id=organisation_id,
        emailed_at__isnull=True,
        created_at__gte=timezone.now() - EMAIL_WINDOW,
    )


def _links(organisation: Organisation, membership: Membership, kind: str) -> dict:
    slug = organisation.slug
    return {
        "preferences": settings.SITE_URL + reverse("programme-email-preferences", args=[slug]),
        "inbox": settings.SITE_URL + reverse("programme-notifications", args=[slug]),
        "unsubscribe": settings.SITE_URL
        + reverse(
            "programme-email-unsubscribe",
            args=[unsubscribe_token(membership=membership, kind=kind)],
        ),
    }


def _message(
    *, to: str, subject: str, template: str, context: dict, mail_connection: object
) -> EmailMultiAlternatives:
    body = render_to_string(f"programme/email/{template}.txt", context)
    html = render_to_string(f"programme/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[to],
        connection=mail_connection,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def _immediate_message(notification: Notification, mail_connection: object):
    membership = notification.recipient
    context = {
        "notification": notification,
        "link": _absolute(notification.url),
        "user": membership.user,
        "organisation": membership.organisation,
        "kind": EmailKind(notification.kind).label,
        **_links(membership.organisation, membership, notification.kind),
    }
    return _message(
        to=membership.user.email,
        # Translators: the subject of an e-mail carrying one notification (its text).
        subject=(gettext("Snowball: %(text)s") % {"text": notification.message})[:150],
        template="notification",
        context=context,
        mail_connection=mail_connection,
    )


def notifications_send_immediate(*, organisation_id: int) -> int:
    """E-mail, one by one, the notifications whose recipients chose "immediate"."""

    def pending() -> QuerySet[Notification]:
        return (
            _recent_unsent(organisation_id)
            .filter(kind__in=GENERIC_IMMEDIATE, recipient__deactivated_at__isnull=True)
            .alias(mode=effective_mode("recipient", kind_ref="kind"))
            .filter(mode=EmailMode.IMMEDIATE)
        )

    return send_claimed_batches(
        pending=pending,
        claim={"emailed_at": timezone.now()},
        release={"emailed_at": None},
        build=_immediate_message,
        related=("recipient__user", "recipient__organisation"),
        recipient=lambda notification: (
            notification.recipient.user,
            notification.recipient.organisation,
        ),
    )


def digest_day(organisation: Organisation, now: datetime | None = None) -> tuple[date, bool]:
    """(today in the organisation, whether digests may be queued now)."""
    local = (now or timezone.now()).astimezone(organisation_zone(organisation))
    return local.date(), local.hour >= DIGEST_FROM_HOUR


def _digest_queue(*, organisation: Organisation, day: date) -> None:
    """Open today's digest for everyone with digest-mode notifications waiting, and attach
    those notifications to it (two set-based statements). A person whose digest went out
    today already gets the newer ones tomorrow."""
    mode_sql, mode_params = effective_mode_sql("n.recipient_id", "n.kind")
    # A leaver's (#18) waiting notifications are not gathered into a digest.
    waiting = f"""n.organisation_id = %s AND n.emailed_at IS NULL AND n.digest_id IS NULL
                  AND n.created_at >= %s AND {mode_sql} = %s
                  AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} m
                              WHERE m.id = n.recipient_id AND m.deactivated_at IS NULL)"""  # noqa: S608
    waiting_params = [organisation.pk, timezone.now() - EMAIL_WINDOW, *mode_params, "digest"]
    notifications, digests = Notification._meta.db_table, DailyDigest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {digests} (organisation_id, membership_id, day, created_at)
                SELECT DISTINCT n.organisation_id, n.recipient_id, %s, now()
                FROM {notifications} n WHERE {waiting}
                ON CONFLICT ON CONSTRAINT daily_digest_once_a_day DO NOTHING""",  # noqa: S608
            [day, *waiting_params],
        )
        cursor.execute(
            f"""UPDATE {notifications} n SET digest_id = d.id, emailed_at = now()
                FROM {digests} d
                WHERE d.membership_id = n.recipient_id AND d.day = %s AND d.sent_at IS NULL
                  AND {waiting}""",  # noqa: S608
            [day, *waiting_params],
        )


def digest_backlog_settle(*, membership: Membership, kind: str, mode: str) -> int:
    """A person switches a kind away from the digest: what was waiting for it still goes out
    as one digest (the next one), never as a flood of single e-mails. Turned off, it is not
    e-mailed at all (it stays in the inbox). Returns how many notifications were settled.

    Runs inside the preference change's transaction: once that commits the immediate sender
    sees the new mode and no waiting row, never one without the other. The UPDATE only takes
    rows still unsent, so a concurrent sender's claimed rows are left alone.
    """
    waiting = _recent_unsent(membership.organisation_id).filter(
        recipient=membership, kind=kind, digest__isnull=True
    )
    if mode == EmailMode.OFF:
        return waiting.update(emailed_at=timezone.now())
    if not waiting.exists():
        return 0
    day, _ = digest_day(membership.organisation)
    digest = DailyDigest.objects.filter(membership=membership, day=day).first()
    if digest is not None and digest.sent_at is not None:
        # Today's digest went out already: these ride with tomorrow's.
        day += timedelta(days=1)
    digest, _ = DailyDigest.objects.get_or_create(
        membership=membership, day=day, defaults={"organisation_id": membership.organisation_id}
    )
    return waiting.update(digest=digest, emailed_at=timezone.now())


def _digest_message(digest: DailyDigest, mail_connection: object):
    membership = digest.membership
    items = list(digest.notifications.order_by("kind", "created_at"))
    for item in items:
        item.link = _absolute(item.url)
    context = {
        "items": items,
        "user": membership.user,
        "organisation": digest.organisation,
        "day": digest.day,
        **_links(digest.organisation, membership, "digest"),
    }
    count = len(items)
    return _message(
        to=membership.user.email,
        subject=ngettext(
            "Snowball: your daily digest (%(count)d new thing)",
            "Snowball: your daily digest (%(count)d new things)",
            count,
        )
        % {"count": count},
        template="digest",
        context=context,
        mail_connection=mail_connection,
    )


def daily_digests_send(*, organisation_id: int, now: datetime | None = None) -> int:
    """Queue today's digests (from 07:00 local) and send those not sent: one a day at most."""
    organisation = Organisation.objects.get(pk=organisation_id)
    day, queue_now = digest_day(organisation, now)
    if queue_now:
        with transaction.atomic():
            _digest_queue(organisation=organisation, day=day)

    def pending() -> QuerySet[DailyDigest]:
        return DailyDigest.objects.filter(
            organisation_id=organisation_id,
            sent_at__isnull=True,
            day__lte=day,
            membership__deactivated_at__isnull=True,
        )

    return send_claimed_batches(
        pending=pending,
        claim={"sent_at": timezone.now()},
        release={"sent_at": None},
        build=_digest_message,
        related=("membership__user", "organisation"),
        recipient=lambda digest: (digest.membership.user, digest.organisation),
    )


def organisations_with_unsent() -> list[int]:
    """Organisations with notifications not e-mailed yet (for beat's sweeps)."""
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True, created_at__gte=timezone.now() - EMAIL_WINDOW
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def notifications_withdraw(*, organisation_id: int, kind: str, url: str, text: str = "") -> int:
    """Take back notifications that are no longer true (a celebration declined after all): gone
    from the inbox and from any digest not sent yet (an e-mail already sent cannot be recalled).
    Matched by kind and link (and text, when given). Returns how many were withdrawn."""
    found = Notification.objects.filter(organisation_id=organisation_id, kind=kind, url=url)
    if text:
        found = found.filter(text=text[:300])
    deleted, _ = found.delete()
    return deleted
