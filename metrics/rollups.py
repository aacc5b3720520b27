"""Weekly rollups: events -> ParticipantWeek, in set-based SQL only.

One INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE per organisation, in one
transaction under an advisory lock: running it twice, or again after a worker died mid-way,
leaves identical rows, and memory does not grow with the number of events (the database
does the grouping).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from metrics.models import ActivityEvent, ParticipantWeek, RollupState

FULL_WEEKS = 26
# A long import commits after it started; its ingested_at is its start. Looking back this far
# before the previous run catches it; recomputing a group twice changes nothing.
INCREMENTAL_OVERLAP = timedelta(hours=2)

_SUM = "COALESCE(SUM(e.quantity) FILTER (WHERE {}), 0)"
MEASURES = {
    "posts": _SUM.format("e.kind = 'post_published'"),
    "comments_made": _SUM.format("e.kind = 'comment_made'"),
    "reactions_made": _SUM.format("e.kind = 'reaction_made'"),
    "messages_sent": _SUM.format("e.kind = 'message_sent'"),
    "connection_requests": _SUM.format("e.kind = 'connection_request_sent'"),
    "connections_accepted": _SUM.format("e.kind = 'connection_accepted'"),
    "replies_received": _SUM.format("e.kind = 'message_reply_received'"),
    "reactions_received": _SUM.format("e.kind = 'reactions_received'"),
    "comments_received": _SUM.format("e.kind = 'comments_received'"),
    "profile_views": _SUM.format("e.kind = 'profile_views'"),
    "impressions": _SUM.format("e.kind = 'post_impressions'"),
    "meetings": _SUM.format("e.kind = 'meeting_booked'"),
    "meetings_via_linkedin": _SUM.format("e.kind = 'meeting_booked' AND e.via_linkedin"),
    "opportunities": _SUM.format("e.kind = 'opportunity_created'"),
    "deals": _SUM.format("e.kind = 'deal_won'"),
    "deals_via_linkedin": _SUM.format("e.kind = 'deal_won' AND e.via_linkedin"),
    "deal_value": "COALESCE(SUM(e.value) FILTER (WHERE e.kind = 'deal_won'), 0)",
    "interactions_tracked": (
        "BOOL_OR(e.source IN ('linkedin_analytics', 'quick_log', 'api') AND e.kind IN "
        "('message_reply_received', 'reactions_received', 'comments_received', "
        "'profile_views', 'post_impressions'))"
    ),
}


def _upsert_sql(group_filter: str) -> str:
    columns = ", ".join(MEASURES)
    selects = ",\n        ".join(MEASURES.values())
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in MEASURES)
    return f"""
        INSERT INTO {ParticipantWeek._meta.db_table}
            (organisation_id, participant_id, week, {columns})
        SELECT e.organisation_id, e.participant_id, e.week,
        {selects}
        FROM {ActivityEvent._meta.db_table} e
        WHERE e.organisation_id = %(org)s AND {group_filter}
        GROUP BY e.organisation_id, e.participant_id, e.week
        ON CONFLICT ON CONSTRAINT participant_week_unique DO UPDATE SET {updates}
    """  # noqa: S608 - every name comes from this module or the models


def _lock(cursor: object, organisation_id: int) -> None:
    # One rollup of an organisation at a time; a second waits, then finds nothing to change.
    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, organisation_id])


def rollup_full(*, organisation_id: int, weeks: int = FULL_WEEKS, today: date | None = None) -> int:
    """Recompute every participant-week of the last `weeks` weeks. Returns rows written."""
    today = today or timezone.localdate()
    since = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, organisation_id)
        RollupState.objects.update_or_create(
            organisation_id=organisation_id, defaults={"full_started_at": timezone.now()}
        )
        cursor.execute(_upsert_sql("e.week >= %(since)s"), {"org": organisation_id, "since": since})
        written = cursor.rowcount
        # Weeks whose events are gone (a participant removed from an import) must not linger.
        cursor.execute(
            f"""DELETE FROM {ParticipantWeek._meta.db_table} w
                WHERE w.organisation_id = %(org)s AND w.week >= %(since)s AND NOT EXISTS (
                    SELECT 1 FROM {ActivityEvent._meta.db_table} e
                    WHERE e.participant_id = w.participant_id AND e.week = w.week)""",  # noqa: S608
            {"org": organisation_id, "since": since},
        )
    return written


def rollup_incremental(*, organisation_id: int) -> int:
    """Recompute only the participant-weeks touched by events ingested since the last run."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, organisation_id)
        state, _ = RollupState.objects.select_for_update().get_or_create(
            organisation_id=organisation_id
        )
        started = timezone.now()
        since = (state.incremental_started_at or started - timedelta(weeks=FULL_WEEKS)) - (
            INCREMENTAL_OVERLAP
        )
        cursor.execute(
            _upsert_sql(
                f"""(e.participant_id, e.week) IN (
                    SELECT DISTINCT t.participant_id, t.week
                    FROM {ActivityEvent._meta.db_table} t
                    WHERE t.organisation_id = %(org)s AND t.ingested_at >= %(since)s)"""  # noqa: S608
            ),
            {"org": organisation_id, "since": since},
        )
        written = cursor.rowcount
        state.incremental_started_at = started
        state.save(update_fields=["incremental_started_at"])
    return written
