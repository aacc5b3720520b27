"""Weekly rollups, in set-based SQL only: events -> ParticipantWeek -> IndicatorWeek -> GroupWeek.

1. ParticipantWeek: one INSERT ... SELECT ... GROUP BY over the events.
2. IndicatorWeek: window functions over a dense participant x week grid built from
   ParticipantWeek (the indicator meanings come from metrics.indicators).
3. GroupWeek: GROUP BY over IndicatorWeek joined to who belongs to which organisation,
   programme, wave and team (a team counts its sub-teams).

Each stage is INSERT ... ON CONFLICT DO UPDATE plus a DELETE of rows that no longer have a
source, all in one transaction under an advisory lock per organisation: running it twice, or
again after a worker died mid-way, leaves identical rows, and memory does not grow with the
number of events (the database does the grouping; Python never loops over participants).
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from metrics import indicators as ind
from metrics.models import (
    ActivityEvent,
    ActivityImport,
    GroupWeek,
    IndicatorWeek,
    ParticipantWeek,
    RollupState,
)
from programme.models import (
    Membership,
    Organisation,
    Participant,
    Session,
    SessionAttendance,
    Team,
    WaveMember,
)
from programme.tenancy import organisation_zone

# Sorts and hashes of a rollup stay in memory up to this (per sort, per process).
WORK_MEM = "64MB"
# Events are stamped when their writer starts and committed later. A request (API batch, quick
# log) commits within this; a file import may take much longer, so the next incremental run
# also looks back to the upload of any import still queued or running when this one started.
INCREMENTAL_OVERLAP = timedelta(minutes=1)

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
    "interactions_tracked": f"BOOL_OR({ind.TRACKED_EVENT})",
    # The day in the organisation's zone: a date-only value was stored as that day's start.
    "last_tracked": (
        f"MAX((e.occurred_at AT TIME ZONE %(tz)s)::date) FILTER (WHERE {ind.TRACKED_EVENT})"
    ),
}


def _changed(columns: list[str] | dict, table: str) -> str:
    """ON CONFLICT ... WHERE: rows whose values did not change are not rewritten."""
    names = list(columns)
    mine = ", ".join(f"{table}.{name}" for name in names)
    theirs = ", ".join(f"EXCLUDED.{name}" for name in names)
    return f"({mine}) IS DISTINCT FROM ({theirs})"


def _count_weeks(cursor: object, params: dict, group_filter: str) -> None:
    """rollup_counts: the per-participant-week counts of the events matching group_filter, by
    one GROUP BY (materialised first, so PostgreSQL can run it in parallel)."""
    if "tz" not in params:  # the days of last_tracked are the organisation's
        params = {**params, "tz": _zone(Organisation.objects.get(pk=params["org"]))}
    selects = ",\n            ".join(f"{sql} AS {name}" for name, sql in MEASURES.items())
    cursor.execute("DROP TABLE IF EXISTS rollup_counts")
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_counts ON COMMIT DROP AS
        SELECT e.participant_id, e.week,
            {selects}
        FROM {ActivityEvent._meta.db_table} e
        WHERE e.organisation_id = %(org)s AND {group_filter}
        GROUP BY e.participant_id, e.week""",  # noqa: S608 - names come from here or the models
        params,
    )
    _index_and_analyse(cursor, "rollup_counts", "participant_id, week")


def _store_weeks(cursor: object, params: dict, *, only_touched: bool) -> int:
    """Upsert rollup_counts into ParticipantWeek, then delete the rows of the recomputed
    participant-weeks that no longer have events. Returns the rows inserted or changed."""
    table = ParticipantWeek._meta.db_table
    columns = ", ".join(MEASURES)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in MEASURES)
    cursor.execute(
        f"""INSERT INTO {table} AS t (organisation_id, participant_id, week, {columns})
            SELECT %(org)s, participant_id, week, {columns}
            FROM ({_differing("rollup_counts", table, MEASURES, "participant_id")}) c
            ON CONFLICT ON CONSTRAINT participant_week_unique DO UPDATE SET {updates}
            WHERE {_changed(MEASURES, "t")}""",  # noqa: S608
        params,
    )
    written = cursor.rowcount
    # Weeks whose events are gone (a participant removed from an import) must not linger.
    # Incremental: driven by the touched pairs, one index probe each.
    scope = (
        "USING rollup_touched r WHERE w.participant_id = r.participant_id AND w.week = r.week"
        if only_touched
        else "WHERE w.organisation_id = %(org)s AND w.week >= %(since)s"
    )
    cursor.execute(
        f"""DELETE FROM {table} w {scope} AND NOT EXISTS (
                SELECT 1 FROM rollup_counts c
                WHERE c.participant_id = w.participant_id AND c.week = w.week)""",  # noqa: S608
        params,
    )
    return written


def _differing(source: str, table: str, columns: list[str] | dict, key: str) -> str:
    """The rows of `source` that `table` lacks or holds with other values, by one join.

    A nightly full run changes few of its rows: an upsert of every row probed the unique
    index 620,000 times to find them (4.9 s at 24,000 people over 26 weeks), a hash join
    finds them in a fraction of that, and only they go through ON CONFLICT. Only the
    table's rows from the source's first week on are read: an incremental run's few weeks
    hashed all 620,000 rows of the span (0.3 s of its 2.3 s)."""
    names = list(columns)
    mine = ", ".join(f"s.{name}" for name in names)
    theirs = ", ".join(f"t.{name}" for name in names)
    return f"""SELECT s.* FROM {source} s
        LEFT JOIN {table} t ON t.participant_id = s.{key} AND t.week = s.week
            AND t.organisation_id = %(org)s
            AND t.week >= (SELECT MIN(week) FROM {source})
        WHERE t.id IS NULL OR ({mine}) IS DISTINCT FROM ({theirs})"""  # noqa: S608


def _index_and_analyse(cursor: object, table: str, columns: str) -> None:
    """A temp table gets statistics and an index on what the anti-joins look up. The target
    tables' statistics cannot know about the rows this same transaction just wrote, so the
    planner may believe they are few and pick a nested loop: with the index, that is still
    one probe per row instead of a scan."""
    cursor.execute(f"CREATE INDEX ON {table} ({columns})")
    cursor.execute(f"ANALYZE {table}")


class _Clock:
    def __init__(self, timings: dict | None) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, name: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[name] = now - self.last
            self.last = now


def _begin(cursor: object, organisation_id: int) -> None:
    # One rollup of an organisation at a time; a second waits, then finds nothing to change.
    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, organisation_id])
    cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")


# A table whose rows grew or changed by more than this share since its statistics were taken
# is analysed before a rollup plans its queries.
STALE_SHARE = 0.2


def _fresh_statistics() -> None:
    """ANALYZE the tables a rollup reads when their statistics predate most of their rows.

    Autovacuum analyses a table within a minute or so of a large load; a rollup started in
    between (the incremental run right after a big import, the first run after a migration)
    planned with statistics that knew nothing of the organisation's rows, chose one index
    probe over what it believed were a handful of events for each of 10,000 touched
    participant-weeks, and scanned 5 million rows 10,000 times (minutes instead of a second:
    bench/rollup.py on a fresh clone). Sampling a table costs well under a second. Run before
    the rollup's transaction: an ANALYZE holds its lock on the table until its transaction
    ends, which would hold back every other organisation's rollup for the whole run."""
    tables = [model._meta.db_table for model in (ActivityEvent, ParticipantWeek, IndicatorWeek)]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT relname FROM pg_stat_user_tables
               WHERE relname = ANY(%s) AND n_mod_since_analyze
                     > 1000 + %s * GREATEST(n_live_tup - n_mod_since_analyze, 0)""",
            [tables, STALE_SHARE],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _horizon(organisation_id: int) -> datetime:
    """Events ingested before this are committed, or belong to no import still in flight."""
    in_flight = ActivityImport.objects.filter(
        organisation_id=organisation_id,
        status__in=[ActivityImport.Status.QUEUED, ActivityImport.Status.RUNNING],
    ).aggregate(first=Min("created_at"))["first"]
    now = timezone.now()
    return min(now, in_flight) if in_flight else now


def _zone(organisation: Organisation) -> str:
    """The organisation's zone as PostgreSQL names it (UTC when the name is unknown)."""
    return organisation_zone(organisation).key


def _weeks(organisation: Organisation, today: date | None) -> tuple[date, date]:
    """(first week of the span, current week), in the organisation's calendar."""
    current = ind.monday(today or ind.organisation_today(organisation))
    return current - timedelta(weeks=ind.SPAN_WEEKS - 1), current


def rollup_full(
    *, organisation_id: int, today: date | None = None, timings: dict | None = None
) -> int:
    """Recompute the last 26 weeks from scratch: every stage, every participant, every group.
    Returns the participant-week rows inserted or changed; `timings` gets each stage's seconds.
    """
    clock = _Clock(timings)
    organisation = Organisation.objects.get(pk=organisation_id)
    span_start, current = _weeks(organisation, today)
    _fresh_statistics()
    clock.lap("statistics")
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, organisation_id)
        state, _ = RollupState.objects.select_for_update().get_or_create(
            organisation_id=organisation_id
        )
        # Everything committed before now is in this run: the next incremental starts here
        # (or at the upload of an import still in flight).
        state.full_started_at = timezone.now()
        state.full_week = current
        horizon = _horizon(organisation_id)
        if (state.incremental_started_at or horizon) <= horizon:
            state.incremental_started_at = horizon
        state.save(update_fields=["full_started_at", "full_week", "incremental_started_at"])
        params = {"org": organisation_id, "since": span_start, "tz": _zone(organisation)}
        _count_weeks(cursor, params, "e.week >= %(since)s")
        clock.lap("count_weeks")
        written = _store_weeks(cursor, params, only_touched=False)
        clock.lap("participant_weeks")
        _indicator_weeks(cursor, organisation, span_start, current, only_touched=False)
        clock.lap("indicator_weeks")
        _group_weeks(cursor, organisation, span_start, current)
        clock.lap("group_weeks")
    clock.lap("commit")
    return written


def refresh_indicators(*, organisation_id: int, today: date | None = None) -> None:
    """Recompute the indicator and group tables from ParticipantWeek as it stands (after a
    threshold or roster change; the nightly full rollup does this too)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    span_start, current = _weeks(organisation, today)
    _fresh_statistics()
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, organisation_id)
        _indicator_weeks(cursor, organisation, span_start, current, only_touched=False)
        _group_weeks(cursor, organisation, span_start, current)


def rollup_incremental(
    *, organisation_id: int, today: date | None = None, timings: dict | None = None
) -> int:
    """Recompute only what events ingested since the last run can have changed: their
    participant-weeks, those people's indicators from the earliest touched week on, and every
    group's weeks from there (the current week always, so team and wave moves show within one
    run). The first run of a new week is a full one: everybody's windows moved."""
    organisation = Organisation.objects.get(pk=organisation_id)
    span_start, current = _weeks(organisation, today)
    state = RollupState.objects.filter(organisation_id=organisation_id).first()
    if state is None or state.full_week is None or state.full_week < current:
        return rollup_full(organisation_id=organisation_id, today=today, timings=timings)
    clock = _Clock(timings)
    _fresh_statistics()
    clock.lap("statistics")
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(cursor, organisation_id)
        state = RollupState.objects.select_for_update().get(organisation_id=organisation_id)
        started = _horizon(organisation_id)
        since = state.incremental_started_at - INCREMENTAL_OVERLAP
        params = {
            "org": organisation_id, "since": since, "span_start": span_start,
            "tz": _zone(organisation),
        }  # fmt: skip
        cursor.execute("DROP TABLE IF EXISTS rollup_touched")
        cursor.execute(
            f"""CREATE TEMP TABLE rollup_touched ON COMMIT DROP AS
                SELECT DISTINCT t.participant_id, t.week
                FROM {ActivityEvent._meta.db_table} t
                WHERE t.organisation_id = %(org)s AND t.ingested_at >= %(since)s
                  -- Weeks before the span are not rolled up (a full run leaves them too).
                  AND t.week >= %(span_start)s""",  # noqa: S608
            params,
        )
        cursor.execute("ANALYZE rollup_touched")
        clock.lap("touched")
        touched = "(e.participant_id, e.week) IN (SELECT participant_id, week FROM rollup_touched)"
        _count_weeks(cursor, params, touched)
        clock.lap("count_weeks")
        written = _store_weeks(cursor, params, only_touched=True)
        clock.lap("participant_weeks")
        # A connection burst is judged against the person's median over the whole span, which
        # any new week can move: when someone touched has a big week in the span, the touched
        # people are recomputed from the span's start, as a full run would (bursts are rare;
        # without this, a week made ordinary by later ones stayed flagged until the night).
        cursor.execute(
            f"""SELECT CASE WHEN MIN(week) IS NOT NULL AND EXISTS (
                        SELECT 1 FROM {ParticipantWeek._meta.db_table} pw
                        WHERE pw.organisation_id = %(org)s AND pw.week >= %(span_start)s
                          AND pw.connection_requests > %(gaming_minimum)s
                          AND pw.participant_id IN (SELECT participant_id FROM rollup_touched))
                    THEN LEAST(MIN(week), %(span_start)s::date) ELSE MIN(week) END
                FROM rollup_touched WHERE week >= %(span_start)s""",  # noqa: S608
            {**params, "gaming_minimum": ind.DEFAULT.gaming_minimum},
        )
        earliest = cursor.fetchone()[0]
        from_week = current if earliest is None else min(earliest, current)
        if earliest is not None:
            _indicator_weeks(cursor, organisation, from_week, current, only_touched=True)
        clock.lap("indicator_weeks")
        _group_weeks(cursor, organisation, from_week, current)
        clock.lap("group_weeks")
        state.incremental_started_at = started
        state.save(update_fields=["incremental_started_at"])
    clock.lap("commit")
    return written


_INDICATOR_COLUMNS = [
    "own_actions", "interactions", "interactions_window", "active", "active_weeks", "streak",
    "regular", "quality", "handles_skill", "tracked", "last_tracked", "about_to_quit", "lapsed",
    "no_interaction_data", "gaming", "first_action", "meetings_total", "deals_total",
]  # fmt: skip


def _indicator_weeks(
    cursor: object,
    organisation: Organisation,
    from_week: date,
    current: date,
    *,
    only_touched: bool,
) -> None:
    """IndicatorWeek for weeks from_week..current, from a dense participant x week grid over
    ParticipantWeek, for every participant or only those in rollup_touched.

    The grid starts a window earlier than from_week; what lies before it (any action at all,
    meetings and deals so far, the streak running into it) comes from one aggregate of the
    earlier ParticipantWeek rows and from the stored IndicatorWeek of the week before the grid,
    which nothing after it can change.
    """
    t = ind.thresholds_for(organisation.pk)
    grid_start = from_week - timedelta(weeks=t.window_weeks - 1)
    params = {
        **t.params(),
        "org": organisation.pk,
        "from_week": from_week,
        "grid_start": grid_start,
        "before_grid": grid_start - timedelta(weeks=1),
        "span_start": current - timedelta(weeks=ind.SPAN_WEEKS - 1),
        "current": current,
    }
    participant = Participant._meta.db_table
    pw_table = ParticipantWeek._meta.db_table
    table = IndicatorWeek._meta.db_table
    touched = "AND p.id IN (SELECT participant_id FROM rollup_touched)" if only_touched else ""
    cursor.execute("DROP TABLE IF EXISTS rollup_people, rollup_indicators")
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_people ON COMMIT DROP AS
            SELECT p.id AS pid, p.selling_strategy = 'direct_acquisition' AS direct
            FROM {participant} p WHERE p.organisation_id = %(org)s {touched}""",  # noqa: S608
        params,
    )
    _index_and_analyse(cursor, "rollup_people", "pid")
    zero = "COALESCE({}, 0)"
    # A week rolled up before days were kept stands for its last day.
    tracked_day = "COALESCE(pw.last_tracked, pw.week + 6)"
    if only_touched and params["before_grid"] >= params["span_start"]:
        # What lies before the grid is already in the stored row of the week before it
        # (nothing after that week changes it): whether the person had acted, their meetings
        # and deals so far, the streak running into the grid and the newest day an
        # interaction source reported on. No row there: nothing to carry, except "tracked",
        # which never expires and is then read from the weeks themselves (one index range
        # per such person; reading every earlier week of the touched people cost 0.17 s).
        before = f"""
            SELECT rp.pid, iw.first_action AS acted, iw.meetings_total AS meetings,
                   iw.deals_total AS deals, iw.streak,
                   CASE WHEN iw.participant_id IS NOT NULL THEN iw.last_tracked
                        ELSE (SELECT MAX({tracked_day}) FROM {pw_table} pw
                              WHERE pw.participant_id = rp.pid AND pw.week < %(grid_start)s
                                AND pw.interactions_tracked)
                   END AS last_tracked
            FROM rollup_people rp
            LEFT JOIN {table} iw ON iw.participant_id = rp.pid AND iw.week = %(before_grid)s
                AND iw.organisation_id = %(org)s"""  # noqa: S608
    else:
        before = f"""
            WITH acted AS (
                SELECT pw.participant_id AS pid,
                       BOOL_OR({ind.OWN_ACTIONS} > 0) AS acted,
                       SUM(pw.meetings_via_linkedin) AS meetings,
                       SUM(pw.deals_via_linkedin) AS deals
                FROM {pw_table} pw JOIN rollup_people rp ON rp.pid = pw.participant_id
                WHERE pw.week < %(grid_start)s
                GROUP BY pw.participant_id
            ), tracked AS (
                -- "Tracked" never expires: the newest day any interaction source reported
                -- on, however long ago (read from the weeks themselves: a person tracked but
                -- with no indicator row yet still carries it).
                SELECT pw.participant_id AS pid, MAX({tracked_day}) AS last_tracked
                FROM {pw_table} pw JOIN rollup_people rp ON rp.pid = pw.participant_id
                WHERE pw.week < %(grid_start)s AND pw.interactions_tracked
                GROUP BY pw.participant_id
            )
            SELECT rp.pid, acted.acted, acted.meetings, acted.deals, iw.streak,
                   tracked.last_tracked
            FROM rollup_people rp
            LEFT JOIN acted USING (pid)
            LEFT JOIN tracked USING (pid)
            LEFT JOIN {table} iw ON iw.participant_id = rp.pid AND iw.week = %(before_grid)s
                AND iw.organisation_id = %(org)s"""  # noqa: S608
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_indicators ON COMMIT DROP AS
        WITH weeks AS (
            SELECT generate_series(%(grid_start)s::timestamp, %(current)s::timestamp,
                                   INTERVAL '7 days')::date AS week
        ), before AS ({before}
        ), burst AS (
            -- Only someone with a big week of connection requests can be gaming: their
            -- median over the span (weeks without a row count as zero) is all that is needed.
            SELECT rp.pid, percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY COALESCE(pw.connection_requests, 0)) AS requests_median
            FROM rollup_people rp
            CROSS JOIN generate_series(%(span_start)s::timestamp, %(current)s::timestamp,
                                       INTERVAL '7 days') span(week)
            LEFT JOIN {pw_table} pw ON pw.participant_id = rp.pid AND pw.week = span.week::date
            WHERE rp.pid IN (SELECT participant_id FROM {pw_table}
                             WHERE organisation_id = %(org)s AND week >= %(from_week)s
                               AND connection_requests > %(gaming_minimum)s)
            GROUP BY rp.pid
        ), person AS MATERIALIZED (
            -- What each person carries into the grid, in one row (one join after the windows).
            SELECT rp.pid, rp.direct, bg.acted AS acted_before_grid,
                   bg.meetings AS meetings_before_grid, bg.deals AS deals_before_grid,
                   bg.last_tracked AS tracked_before_grid, bg.streak AS carried_streak,
                   COALESCE(burst.requests_median, 0) AS requests_median
            FROM rollup_people rp
            LEFT JOIN burst USING (pid)
            LEFT JOIN before bg USING (pid)
        ), grid AS (
            SELECT rp.pid, w.week,
                   {zero.format(ind.OWN_ACTIONS)} AS own,
                   {zero.format(ind.CONTENT_ACTIONS)} AS content,
                   {zero.format(ind.INTERACTIONS)} AS received,
                   {zero.format(ind.INTERACTIONS_ON_POSTS)} AS on_posts,
                   COALESCE(pw.posts, 0) AS posts,
                   COALESCE(pw.messages_sent, 0) AS messages,
                   COALESCE(pw.replies_received, 0) AS replies,
                   COALESCE(pw.connection_requests, 0) AS requests,
                   CASE WHEN pw.interactions_tracked THEN {tracked_day} END AS day_tracked,
                   COALESCE(pw.meetings_via_linkedin, 0) AS meetings,
                   COALESCE(pw.deals_via_linkedin, 0) AS deals
            FROM rollup_people rp CROSS JOIN weeks w
            LEFT JOIN {pw_table} pw ON pw.participant_id = rp.pid AND pw.week = w.week
                AND pw.organisation_id = %(org)s AND pw.week >= %(grid_start)s
        ), running AS (
            -- Running totals per person, in one pass (one window); the sliding sums below are
            -- differences of these, read with LAG. Six frames of their own were six passes
            -- over the grid of 790,000 rows at 24,000 people, 0.4 s each.
            SELECT pid, week, own, content, received, requests,
                SUM((content > 0)::int) OVER w_upto AS c_content_weeks,
                SUM(posts) OVER w_upto AS c_posts,
                SUM(on_posts) OVER w_upto AS c_on_posts,
                SUM(messages) OVER w_upto AS c_messages,
                SUM(replies) OVER w_upto AS c_replies,
                SUM(received) OVER w_upto AS c_received,
                SUM((own > 0)::int) OVER w_upto AS c_own_weeks,
                SUM(own) OVER w_upto AS c_own,
                MAX(day_tracked) OVER w_upto AS tracked_upto,
                BOOL_OR(own > 0) OVER w_upto AS acted_upto,
                SUM(meetings) OVER w_upto AS meetings_upto,
                SUM(deals) OVER w_upto AS deals_upto,
                MAX(week) FILTER (WHERE content = 0) OVER w_upto AS last_idle
            FROM grid
            WINDOW w_upto AS (PARTITION BY pid ORDER BY week ROWS UNBOUNDED PRECEDING)
        ), lagged AS (
            -- The running totals k rows back, one LAG per distance (each LAG fetches its row
            -- again: ten of them were the costliest pass over the grid).
            SELECT running.*,
                LAG(ARRAY[c_content_weeks, c_posts, c_on_posts, c_messages, c_replies,
                          c_received], %(window_weeks)s) OVER w AS at_window,
                LAG(c_own_weeks, 4, 0) OVER w AS own_weeks_at_4,
                LAG(c_received, %(quit_silent_weeks)s, 0) OVER w AS received_at_silent,
                LAG(ARRAY[c_own, c_own_weeks], %(lapsed_weeks)s) OVER w AS at_lapsed
            FROM running
            WINDOW w AS (PARTITION BY pid ORDER BY week)
        ), windowed AS (
            -- A sum over the last k weeks: the running total less the one k rows back (0
            -- before the grid's first week, as a frame running off the start is shorter).
            SELECT pid, week, own, content, received, requests, tracked_upto, acted_upto,
                meetings_upto, deals_upto, last_idle,
                c_content_weeks - COALESCE(at_window[1], 0) AS active_weeks,
                c_posts - COALESCE(at_window[2], 0) AS posts_w,
                c_on_posts - COALESCE(at_window[3], 0) AS on_posts_w,
                c_messages - COALESCE(at_window[4], 0) AS messages_w,
                c_replies - COALESCE(at_window[5], 0) AS replies_w,
                c_received - COALESCE(at_window[6], 0) AS received_w,
                c_own_weeks - own_weeks_at_4 AS own_weeks_4,
                c_received - received_at_silent AS received_3,
                c_own - COALESCE(at_lapsed[1], 0) AS own_3,
                -- Any own action up to the week before the last lapsed_weeks.
                COALESCE(at_lapsed[2], 0) > 0 AS acted_in_grid_before
            FROM lagged
        ), facts AS (
            SELECT windowed.*, person.direct, person.requests_median,
                acted_in_grid_before OR COALESCE(acted_before_grid, FALSE) AS acted_before,
                acted_upto OR COALESCE(acted_before_grid, FALSE) AS acted_ever,
                meetings_upto + COALESCE(meetings_before_grid, 0) AS meetings_total,
                deals_upto + COALESCE(deals_before_grid, 0) AS deals_total,
                GREATEST(tracked_upto, tracked_before_grid) AS last_tracked,
                GREATEST(tracked_upto, tracked_before_grid) IS NOT NULL AS tracked,
                CASE WHEN content = 0 THEN 0
                     WHEN last_idle IS NOT NULL THEN (week - last_idle) / 7
                     ELSE COALESCE(carried_streak, 0) + (week - %(grid_start)s::date) / 7 + 1
                END AS streak
            FROM windowed JOIN person USING (pid)
        )
        SELECT pid, week,
            own AS own_actions, received AS interactions, received_w AS interactions_window,
            own > 0 AS active, active_weeks, streak,
            {ind.REGULAR} AS regular, {ind.QUALITY} AS quality,
            {ind.HANDLES_SKILL} AS handles_skill, tracked, last_tracked,
            {ind.ABOUT_TO_QUIT} AS about_to_quit, {ind.LAPSED} AS lapsed,
            {ind.NO_INTERACTION_DATA} AS no_interaction_data,
            COALESCE({ind.GAMING}, FALSE) AS gaming,
            acted_ever AS first_action, meetings_total, deals_total
        FROM facts
        WHERE week >= %(from_week)s
          AND (acted_ever OR received_w > 0 OR meetings_total > 0 OR deals_total > 0)
        """,  # noqa: S608 - every name comes from this module, metrics.indicators or the models
        params,
    )
    _index_and_analyse(cursor, "rollup_indicators", "pid, week")
    columns = ", ".join(_INDICATOR_COLUMNS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in _INDICATOR_COLUMNS)
    cursor.execute(
        f"""INSERT INTO {table} AS t (organisation_id, participant_id, week, {columns})
            SELECT %(org)s, pid, week, {columns}
            FROM ({_differing("rollup_indicators", table, _INDICATOR_COLUMNS, "pid")}) c
            ON CONFLICT ON CONSTRAINT indicator_week_unique DO UPDATE SET {updates}
            WHERE {_changed(_INDICATOR_COLUMNS, "t")}""",  # noqa: S608
        params,
    )
    # The organisation's rows first: matched on the person alone, the other organisations'
    # rows of those weeks reached a join with every person recomputed (a nested loop of
    # 2,600 x 24,000 comparisons, 5 s, when the planner expected one row).
    people = "AND iw.participant_id IN (SELECT pid FROM rollup_people)" if only_touched else ""
    cursor.execute(
        f"""DELETE FROM {table} iw
            WHERE iw.organisation_id = %(org)s AND iw.week >= %(from_week)s {people}
              AND NOT EXISTS (SELECT 1 FROM rollup_indicators ri
                              WHERE ri.pid = iw.participant_id AND ri.week = iw.week)""",  # noqa: S608
        params,
    )


# A cell is the people who share a team and a set of waves (and so belong to exactly the same
# groups): the counts of a cell's week are summed once over its people, then each group adds
# up its cells. Counts, unlike medians, add up. (Grouping the person x week x group rows
# directly sorted 3.1 million rows for 24,000 people in 4 waves and 40 teams: 9.3 s; cells,
# 0.2 s for the same rows: bench/rollup.py.)
# A week counts the people still in the programme at its end (for the running week: now), so a
# leaver (#18) counts in the weeks before they left, not after: "In the programme" and every
# share agree with the people list, and a leaver never shows as lapsed for ever after.
_PRESENT = "(m.left_at IS NULL OR m.left_at >= {end})"
_GROUP_COUNTS = {
    "participants": "COUNT(*) FILTER (WHERE {present})",
    "invited": "COUNT(*) FILTER (WHERE {present} AND m.invited_at < w.week_end)",
    "trained": "COUNT(*) FILTER (WHERE {present} AND m.trained_at < w.week_end)",
    "first_action": "COUNT(*) FILTER (WHERE iw.first_action)",
    "active": "COUNT(*) FILTER (WHERE iw.active)",
    "regular": "COUNT(*) FILTER (WHERE iw.regular)",
    "receiving": "COUNT(*) FILTER (WHERE iw.interactions_window > 0)",
    "handles_skill": "COUNT(*) FILTER (WHERE iw.handles_skill)",
    "about_to_quit": "COUNT(*) FILTER (WHERE iw.about_to_quit)",
    "lapsed": "COUNT(*) FILTER (WHERE iw.lapsed)",
    "no_interaction_data": "COUNT(*) FILTER (WHERE iw.no_interaction_data)",
    "gaming": "COUNT(*) FILTER (WHERE iw.gaming)",
    "with_meeting": "COUNT(*) FILTER (WHERE iw.meetings_total > 0)",
    "with_deal": "COUNT(*) FILTER (WHERE iw.deals_total > 0)",
    "own_actions": "COALESCE(SUM(iw.own_actions), 0)",
    "interactions": "COALESCE(SUM(iw.interactions), 0)",
    "meetings_total": "COALESCE(SUM(iw.meetings_total), 0)",
    "deals_total": "COALESCE(SUM(iw.deals_total), 0)",
}
# Medians are what a seller is compared with: their wave's, or everyone's; other groups get 0.
# A person without an indicator row that week counts as zero.
_GROUP_MEDIANS = {
    "median_active_weeks": "active_weeks",
    "median_interactions_window": "interactions_window",
}
# Counts of people that need no indicator row.
_PEOPLE_COUNTS = ("participants", "invited", "trained")
_MEDIAN_KINDS = ("wave", "organisation")


def _group_weeks(
    cursor: object, organisation: Organisation, from_week: date, current: date
) -> None:
    """GroupWeek for weeks from_week..current: every group, counts of people, never names.

    Every group is recomputed for these weeks with today's teams and waves (so a move shows
    in the weeks a run recomputes), from per-cell sums; medians for the waves and the
    organisation only."""
    params = {
        "org": organisation.pk,
        "from_week": from_week,
        "current": current,
        "tz": organisation.time_zone or "UTC",
        # Bound as one array: any number of kinds, one included, is valid SQL.
        "median_kinds": list(_MEDIAN_KINDS),
    }
    participant = Participant._meta.db_table
    cursor.execute(
        "DROP TABLE IF EXISTS rollup_members, rollup_cell_groups, rollup_cell_weeks, "
        "rollup_cell_values"
    )
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_members ON COMMIT DROP AS
        WITH waves AS (
            SELECT wm.participant_id,
                   array_agg(DISTINCT wm.programme_id ORDER BY wm.programme_id) AS programmes,
                   array_agg(DISTINCT wm.wave_id ORDER BY wm.wave_id) AS waves
            FROM {WaveMember._meta.db_table} wm
            JOIN {participant} p ON p.id = wm.participant_id AND p.organisation_id = %(org)s
            GROUP BY wm.participant_id
        ), trained AS (
            SELECT a.participant_id, MIN(s.starts_at) AS at
            FROM {SessionAttendance._meta.db_table} a
            JOIN {Session._meta.db_table} s ON s.id = a.session_id
            WHERE a.attended AND s.organisation_id = %(org)s
            GROUP BY a.participant_id
        )
        SELECT p.id AS pid, p.team_id, COALESCE(w.programmes, '{{}}') AS programmes,
               COALESCE(w.waves, '{{}}') AS waves, m.invitation_sent_at AS invited_at,
               trained.at AS trained_at, m.deactivated_at AS left_at,
               dense_rank() OVER (ORDER BY p.team_id, w.programmes, w.waves) AS cell
        FROM {participant} p JOIN {Membership._meta.db_table} m ON m.id = p.membership_id
        LEFT JOIN waves w ON w.participant_id = p.id
        LEFT JOIN trained ON trained.participant_id = p.id
        WHERE p.organisation_id = %(org)s""",  # noqa: S608
        params,
    )
    cursor.execute("ANALYZE rollup_members")
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_cell_groups ON COMMIT DROP AS
        WITH RECURSIVE tree AS (
            SELECT id AS team_id, id AS ancestor_id, ARRAY[id] AS path
            FROM {Team._meta.db_table} WHERE organisation_id = %(org)s
          UNION ALL
            SELECT tree.team_id, parent.parent_id, tree.path || parent.parent_id
            FROM tree JOIN {Team._meta.db_table} parent ON parent.id = tree.ancestor_id
            WHERE parent.parent_id IS NOT NULL AND NOT parent.parent_id = ANY(tree.path)
        ), cells AS (
            SELECT DISTINCT cell, team_id, programmes, waves FROM rollup_members
        )
        SELECT cell, 'organisation' AS kind, %(org)s AS group_id FROM cells
      UNION ALL
        SELECT cell, 'programme', unnest(programmes) FROM cells
      UNION ALL
        SELECT cell, 'wave', unnest(waves) FROM cells
      UNION ALL
        SELECT cells.cell, 'team', tree.ancestor_id FROM cells JOIN tree USING (team_id)""",  # noqa: S608
        params,
    )
    cursor.execute("ANALYZE rollup_cell_groups")
    weeks = """weeks AS (
            SELECT week::date AS week, (week + INTERVAL '7 days') AT TIME ZONE %(tz)s AS week_end
            FROM generate_series(%(from_week)s::timestamp, %(current)s::timestamp,
                                 INTERVAL '7 days') week
        )"""
    # The indicator rows of the weeks, each joined to its person's cell (a small hash).
    week_end = "(iw.week + 7)::timestamp AT TIME ZONE %(tz)s"
    indicators = f"""{IndicatorWeek._meta.db_table} iw
        JOIN rollup_members m ON m.pid = iw.participant_id
        WHERE iw.organisation_id = %(org)s AND iw.week BETWEEN %(from_week)s AND %(current)s
          AND {_PRESENT.format(end=week_end)}"""
    present = _PRESENT.format(end="w.week_end")
    counts = {name: _GROUP_COUNTS[name].format(present=present) for name in _PEOPLE_COUNTS}
    people = [name for name in _GROUP_COUNTS if name in _PEOPLE_COUNTS]
    rows = [name for name in _GROUP_COUNTS if name not in _PEOPLE_COUNTS]
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_cell_weeks ON COMMIT DROP AS
        WITH {weeks}, people AS (
            SELECT m.cell, w.week,
                {", ".join(f"{counts[name]} AS {name}" for name in people)}
            FROM rollup_members m CROSS JOIN weeks w
            GROUP BY m.cell, w.week
        ), counted AS (
            SELECT m.cell, iw.week, COUNT(*) AS with_row,
                {", ".join(f"{_GROUP_COUNTS[name]} AS {name}" for name in rows)}
            FROM {indicators}
            GROUP BY m.cell, iw.week
        )
        SELECT people.*, COALESCE(with_row, 0) AS with_row,
            {", ".join(f"COALESCE({name}, 0) AS {name}" for name in rows)}
        FROM people LEFT JOIN counted USING (cell, week)""",  # noqa: S608
        params,
    )
    # Medians from how many people of each cell had each value (the values are whole numbers:
    # weeks and counts), so a group's median needs no sort of its people.
    measures = list(_GROUP_MEDIANS.values())
    sets = ", ".join(f"(m.cell, iw.week, iw.{name})" for name in measures)
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_cell_values ON COMMIT DROP AS
        SELECT m.cell, iw.week, {", ".join(f"iw.{name}" for name in measures)}, COUNT(*) AS n
        FROM {indicators}
        GROUP BY GROUPING SETS ({sets})""",  # noqa: S608
        params,
    )
    names = [*_GROUP_COUNTS, *_GROUP_MEDIANS]
    columns = ", ".join(names)
    sums = ", ".join(f"SUM(c.{name}) AS {name}" for name in _GROUP_COUNTS)
    values = " UNION ALL ".join(
        f"""SELECT g.kind, g.group_id, v.week, {i} AS measure, v.{name} AS value, SUM(v.n) AS n
            FROM rollup_cell_groups g JOIN rollup_cell_values v USING (cell)
            WHERE g.kind = ANY(%(median_kinds)s) AND v.{name} IS NOT NULL
            GROUP BY g.kind, g.group_id, v.week, v.{name}"""  # noqa: S608
        for i, name in enumerate(measures)
    )
    # percentile_cont(0.5) over n values: the mean of the values at (n - 1) / 2 and n / 2
    # (0-based, integer division) in order; a person without a row that week counts as 0.
    medians = ", ".join(
        f"""(MIN(value) FILTER (WHERE measure = {i} AND upto > (total - 1) / 2)
             + MIN(value) FILTER (WHERE measure = {i} AND upto > total / 2))::float8 / 2
             AS {name}"""
        for i, name in enumerate(_GROUP_MEDIANS)
    )
    median_values = ", ".join(f"COALESCE(md.{name}, 0)" for name in _GROUP_MEDIANS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names)
    table = GroupWeek._meta.db_table
    cursor.execute(
        f"""WITH sums AS (
            SELECT g.kind, g.group_id, c.week, {sums}, SUM(c.participants - c.with_row) AS without
            FROM rollup_cell_groups g JOIN rollup_cell_weeks c USING (cell)
            GROUP BY g.kind, g.group_id, c.week
        ), counted AS (
            {values}
          UNION ALL
            SELECT kind, group_id, week, measure, 0, without
            FROM sums CROSS JOIN generate_series(0, {len(measures) - 1}) measure
            WHERE kind = ANY(%(median_kinds)s)
        ), merged AS (
            SELECT kind, group_id, week, measure, value, SUM(n) AS n FROM counted
            GROUP BY kind, group_id, week, measure, value HAVING SUM(n) > 0
        ), running AS (
            SELECT merged.*,
                SUM(n) OVER (PARTITION BY kind, group_id, week, measure ORDER BY value) AS upto,
                SUM(n) OVER (PARTITION BY kind, group_id, week, measure) AS total
            FROM merged
        ), medians AS (
            SELECT kind, group_id, week, {medians} FROM running GROUP BY kind, group_id, week
        )
        INSERT INTO {table} AS t (organisation_id, kind, group_id, week, {columns})
        SELECT %(org)s, s.kind, s.group_id, s.week, {", ".join(f"s.{n}" for n in _GROUP_COUNTS)},
            {median_values}
        FROM sums s LEFT JOIN medians md USING (kind, group_id, week)
        ON CONFLICT ON CONSTRAINT group_week_unique DO UPDATE SET {updates}
        WHERE {_changed(names, "t")}""",  # noqa: S608
        params,
    )
    cursor.execute(
        f"""DELETE FROM {table} gw
            WHERE gw.organisation_id = %(org)s AND gw.week BETWEEN %(from_week)s AND %(current)s
              AND NOT EXISTS (SELECT 1 FROM rollup_cell_groups g
                              WHERE g.kind = gw.kind AND g.group_id = gw.group_id)""",  # noqa: S608
        params,
    )
