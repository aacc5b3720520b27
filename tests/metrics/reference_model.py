"""The change indicators as README's "Indicators and dashboards" defines them, in plain Python.

An independent reading of the definitions, one person at a time, with no SQL, no windows over a
grid and nothing carried between runs: tests/metrics/test_reference_model.py sends generated
histories through the real import path and the real rollups and compares every person x week x
field with `indicator_weeks` below. Where the two disagree, one of them misreads the README.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from metrics.indicators import SPAN_WEEKS, Thresholds

# Own actions, and those that show the skill (connection requests alone never do).
CONTENT = ("post_published", "comment_made", "message_sent")
OWN = (*CONTENT, "connection_request_sent")
# Interactions received; on posts: reactions and comments.
RECEIVED = ("reactions_received", "comments_received", "message_reply_received")
ON_POSTS = ("reactions_received", "comments_received")
# Interactions are tracked when one of these sources reports what the person received.
TRACKING_SOURCES = ("linkedin_analytics", "quick_log", "api")
TRACKING_KINDS = (*RECEIVED, "profile_views", "post_impressions")


@dataclass(frozen=True)
class Happening:
    """One thing that happened to a person: when (an aware moment, or a calendar day for
    sources that give only a date), what, how many, from which source."""

    kind: str
    source: str
    when: datetime | date
    quantity: int = 1
    via_linkedin: bool = False


@dataclass
class Person:
    key: object
    direct: bool  # direct acquisition: quality is the reply rate
    happenings: list[Happening] = field(default_factory=list)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_day(when: datetime | date, zone: ZoneInfo) -> date:
    """A moment's day in the organisation's zone; a date-only value is that very day."""
    if isinstance(when, datetime):
        return when.astimezone(zone).date()
    return when


def indicator_weeks(
    person: Person, *, zone: ZoneInfo, today: date, t: Thresholds | None = None
) -> dict[date, dict]:
    """The person's indicator rows of the span (26 weeks up to today's), by week: only weeks
    where they have something to say (acted by then, received something in the window, or a
    meeting or deal so far)."""
    t = t or Thresholds()
    current = monday(today)
    span = [current - timedelta(weeks=i) for i in range(SPAN_WEEKS - 1, -1, -1)]
    counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tracked_days: dict[date, date] = {}  # week -> newest tracked day in it
    for h in person.happenings:
        day = local_day(h.when, zone)
        week = monday(day)
        counts[week][h.kind] += h.quantity
        if h.kind in ("meeting_booked", "deal_won") and h.via_linkedin:
            counts[week][h.kind + ":via"] += h.quantity
        if h.source in TRACKING_SOURCES and h.kind in TRACKING_KINDS:
            tracked_days[week] = max(tracked_days.get(week, day), day)

    def total(week: date, kinds: tuple[str, ...]) -> int:
        return sum(counts[week][kind] for kind in kinds) if week in counts else 0

    def weeks_back(week: date, n: int) -> list[date]:
        return [week - timedelta(weeks=i) for i in range(n)]

    def before(week: date) -> list[date]:
        return [w for w in counts if w <= week]

    median_requests = statistics.median(
        total(w, ("connection_request_sent",)) for w in span
    )  # the person's usual week over the span, quiet weeks counting as zero
    rows: dict[date, dict] = {}
    for week in span:
        window = weeks_back(week, t.window_weeks)
        own = total(week, OWN)
        content = total(week, CONTENT)
        received_window = sum(total(w, RECEIVED) for w in window)
        acted_ever = any(total(w, OWN) > 0 for w in before(week))
        meetings = sum(counts[w]["meeting_booked:via"] for w in before(week))
        deals = sum(counts[w]["deal_won:via"] for w in before(week))
        if not (acted_ever or received_window > 0 or meetings > 0 or deals > 0):
            continue
        # Tracked: an interaction source has ever reported for the person, up to this week.
        seen = [day for w, day in tracked_days.items() if w <= week]
        last_tracked = max(seen) if seen else None
        tracked = last_tracked is not None
        active_weeks = sum(1 for w in window if total(w, CONTENT) > 0)
        regular = active_weeks >= t.regular_weeks
        if not tracked:
            quality = None
        elif person.direct:
            sent = sum(total(w, ("message_sent",)) for w in window)
            replies = sum(total(w, ("message_reply_received",)) for w in window)
            quality = replies / sent if sent else None
        else:
            posts = sum(total(w, ("post_published",)) for w in window)
            on_posts = sum(total(w, ON_POSTS) for w in window)
            quality = on_posts / posts if posts else None
        threshold = t.reply_rate if person.direct else t.quality_per_post
        own_weeks_4 = sum(1 for w in weeks_back(week, 4) if total(w, OWN) > 0)
        received_silent = sum(total(w, RECEIVED) for w in weeks_back(week, t.quit_silent_weeks))
        own_lapsed = sum(total(w, OWN) for w in weeks_back(week, t.lapsed_weeks))
        acted_before = any(
            total(w, OWN) > 0 for w in before(week - timedelta(weeks=t.lapsed_weeks))
        )
        requests = total(week, ("connection_request_sent",))
        streak = 0
        w = week
        while total(w, CONTENT) > 0:
            streak += 1
            w -= timedelta(weeks=1)
        rows[week] = {
            "own_actions": own,
            "interactions": total(week, RECEIVED),
            "interactions_window": received_window,
            "active": own > 0,
            "active_weeks": active_weeks,
            "streak": streak,
            "regular": regular,
            "quality": quality,
            "handles_skill": regular and quality is not None and quality >= threshold,
            "tracked": tracked,
            "last_tracked": last_tracked,
            "about_to_quit": tracked
            and own_weeks_4 >= t.quit_active_weeks
            and received_silent == 0,
            "lapsed": own_lapsed == 0 and acted_before,
            "no_interaction_data": not tracked and own_weeks_4 >= t.quit_active_weeks,
            "gaming": requests > t.gaming_minimum
            and requests > t.gaming_ratio * median_requests
            and content == 0,
            "first_action": acted_ever,
            "meetings_total": meetings,
            "deals_total": deals,
        }
    return rows


def regularity_streak(rows: dict[date, dict], week: date) -> int:
    """What My progress shows: weeks in a row with a post, comment or message, or still regular
    through a quiet week; a week in progress with nothing yet does not break it."""

    def kept(w: date) -> bool:
        row = rows.get(w)
        return row is not None and (row["streak"] > 0 or row["regular"])

    day = week if kept(week) else week - timedelta(weeks=1)
    count = 0
    while kept(day):
        count += 1
        day -= timedelta(weeks=1)
    return count
