"""The weekly personal e-mail: last week's own trend, streak, interactions, the wave median and
one next step. Habits are built by small regular nudges, not by one training.

Honours each person's e-mail preference (off means nothing is even queued) and is sent at most
once per person and week (rows are claimed before the mail leaves).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.mime.image import MIMEImage
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from metrics import charts, indicators
from metrics.dashboards import own_weeks, peers_of
from metrics.models import GroupKind, GroupWeek, ParticipantWeek, WeeklySummary
from programme import services as programme_services
from programme.models import (
    EmailKind,
    EmailMode,
    EmailPreference,
    Membership,
    Organisation,
    Participant,
)
from programme.selectors import current_wave_id
from programme.services.mailing import send_claimed_batches
from programme.services.notifications import effective_mode

SEND_FROM_HOUR = 7  # local time, Monday: the summary is in the inbox when the week starts


def summary_week(organisation: Organisation, now: datetime | None = None) -> tuple[date, bool]:
    """(the finished week the summaries are about, whether new ones may be queued now).

    They are queued on Monday from 07:00 local time only: someone who turns the summary back
    on later in the week gets the next one, not a late copy of this one."""
    local = (now or timezone.now()).astimezone(ZoneInfo(organisation.time_zone or "UTC"))
    current = indicators.monday(local.date())
    queue_now = local.date() == current and local.hour >= SEND_FROM_HOUR
    return current - timedelta(weeks=1), queue_now


def weekly_summaries_queue(*, organisation: Organisation, week: date) -> int:
    """One pending row per participant who joined, has not left (#18) and did not turn the
    summary off (one INSERT ... SELECT; running it again adds nobody)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {WeeklySummary._meta.db_table} (organisation_id, participant_id, week)
                SELECT p.organisation_id, p.id, %(week)s
                FROM {Participant._meta.db_table} p
                JOIN {Membership._meta.db_table} m ON m.id = p.membership_id
                WHERE p.organisation_id = %(org)s AND m.joined_at IS NOT NULL
                  AND m.deactivated_at IS NULL
                  AND NOT EXISTS (
                      SELECT 1 FROM {EmailPreference._meta.db_table} ep
                      WHERE ep.membership_id = m.id AND ep.kind = %(kind)s AND ep.mode = %(off)s)
                ON CONFLICT ON CONSTRAINT weekly_summary_once_per_week DO NOTHING""",  # noqa: S608
            {
                "org": organisation.pk,
                "week": week,
                "kind": EmailKind.WEEKLY_SUMMARY,
                "off": EmailMode.OFF,
            },
        )
        return cursor.rowcount


def weekly_summaries_send(*, organisation_id: int, now: datetime | None = None) -> int:
    organisation = Organisation.objects.get(pk=organisation_id)
    week, queue_now = summary_week(organisation, now)
    if queue_now:
        weekly_summaries_queue(organisation=organisation, week=week)
        programme_services.team_summaries_publish(
            organisation,
            week,
            list(
                GroupWeek.objects.filter(
                    organisation=organisation, kind=GroupKind.TEAM, week=week
                ).values(
                    "group_id", "participants", "active", "regular", "receiving", "with_meeting"
                )
            ),
        )

    def pending():
        # Turned off after queueing (or before the batch): not sent.
        return (
            WeeklySummary.objects.filter(
                organisation_id=organisation_id,
                week=week,
                sent_at__isnull=True,
                participant__membership__deactivated_at__isnull=True,  # a leaver since (#18)
            )
            .alias(mode=effective_mode("participant__membership", EmailKind.WEEKLY_SUMMARY))
            .exclude(mode=EmailMode.OFF)
        )

    return send_claimed_batches(
        pending=pending,
        claim={"sent_at": timezone.now()},
        release={"sent_at": None},
        build=_message,
        related=("participant__membership__user", "organisation"),
        recipient=lambda summary: (summary.participant.membership.user, summary.organisation),
    )


def summary_context(summary: WeeklySummary) -> dict:
    participant, week = summary.participant, summary.week
    thresholds = indicators.thresholds_for(summary.organisation_id)
    # The streak My progress shows (with a post, comment or message, or still regular).
    now, _before, streak = own_weeks(participant, week)
    peers, label = peers_of(summary.organisation, current_wave_id(participant), week)
    if label == "everyone":
        label = "everyone in the programme"
    slug = summary.organisation.slug
    return {
        "user": participant.membership.user,
        "organisation": summary.organisation,
        "week": week,
        "now": now,
        "streak": streak,
        "peers": peers,
        "peers_label": label,
        "next_step": indicators.next_step(now, thresholds),
        "thresholds": thresholds,
        "dashboard": settings.SITE_URL + reverse("metrics-dashboard-seller", args=[slug]),
        "preferences": settings.SITE_URL + reverse("programme-email-preferences", args=[slug]),
        "unsubscribe": settings.SITE_URL
        + reverse(
            "programme-email-unsubscribe",
            args=[
                programme_services.unsubscribe_token(
                    membership=participant.membership, kind=EmailKind.WEEKLY_SUMMARY
                )
            ],
        ),
    }


class RelatedEmail(EmailMultiAlternatives):
    """Text and HTML alternatives inside multipart/related, beside the images the HTML shows
    by Content-ID: the structure mail clients expect for inline images."""

    mixed_subtype = "related"


def summary_weeks(summary: WeeklySummary) -> list[ParticipantWeek]:
    """The person's last charts.EMAIL_WEEKS weeks up to the summary's, quiet weeks as zeros
    (one query)."""
    since = summary.week - timedelta(weeks=charts.EMAIL_WEEKS - 1)
    stored = {
        row.week: row
        for row in ParticipantWeek.objects.filter(
            organisation_id=summary.organisation_id,
            participant_id=summary.participant_id,
            week__gte=since,
            week__lte=summary.week,
        )
    }
    days = [since + timedelta(weeks=i) for i in range(charts.EMAIL_WEEKS)]
    return [stored.get(day, ParticipantWeek(week=day)) for day in days]


def _message(summary: WeeklySummary, mail_connection: object) -> EmailMultiAlternatives:
    context = summary_context(summary)
    weeks = summary_weeks(summary)
    png = charts.seller_email_png(weeks)
    rows = charts.seller_week_numbers(weeks)
    domain = urlparse(settings.SITE_URL).hostname or "localhost"
    if png:
        context["chart_cid"] = f"weekly-chart-{summary.pk}@{domain}"
        context["chart_width"] = charts.EMAIL_CHART_WIDTH
        context["chart_height"] = charts.EMAIL_CHART_HEIGHT
        context["chart_rows"] = rows
        context["chart_actions"] = sum(actions for _week, actions, _received in rows)
        context["chart_received"] = sum(received for _week, _actions, received in rows)
    subject = render_to_string("metrics/email/weekly_subject.txt", context).strip()
    body = render_to_string("metrics/email/weekly_body.txt", context)
    html = render_to_string("metrics/email/weekly_body.html", context)
    message = (RelatedEmail if png else EmailMultiAlternatives)(
        subject=subject,
        body=body,
        to=[summary.participant.membership.user.email],
        connection=mail_connection,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    if png:
        image = MIMEImage(png, "png")
        image.add_header("Content-ID", f"<{context['chart_cid']}>")
        image.add_header("Content-Disposition", "inline", filename="your-weeks.png")
        message.attach(image)
    return message
