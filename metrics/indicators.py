"""The change indicators, defined once, read from the weekly rollups (never from raw events).

Regularity and consistency matter more than bursts; connection counts are easy to cheat and
never count toward "handles the skill"; missing interaction is the early warning, and a seller
whose interactions are not tracked at all gets "no interaction data", never a false alarm.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from metrics.models import ParticipantWeek
from programme.models import Organisation, SellingStrategy


@dataclass(frozen=True)
class Thresholds:
    """The programme may tune these (and success definitions made with sellers will set them)."""

    window_weeks: int = 8
    regular_weeks: int = 6
    quality_per_post: float = 3.0  # interactions received per post
    reply_rate: float = 0.15  # replies per message sent, for direct acquisition
    quit_active_weeks: int = 2  # active in at least this many of the last 4 weeks...
    quit_silent_weeks: int = 3  # ...but no interaction received in the last 3
    lapsed_weeks: int = 3
    gaming_ratio: float = 5.0
    gaming_minimum: int = 100


DEFAULT = Thresholds()


class Warning:
    ABOUT_TO_QUIT = "about_to_quit"
    LAPSED = "lapsed"
    NO_INTERACTION_DATA = "no_interaction_data"


@dataclass
class Indicators:
    participant_id: int
    active_weeks: int = 0  # in the window
    regular: bool = False
    quality: float | None = None
    handles_skill: bool = False
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, reason)
    gaming_weeks: list[date] = field(default_factory=list)
    meetings_via_linkedin: int = 0
    deals_via_linkedin: int = 0


def own_actions(week: ParticipantWeek) -> int:
    return week.posts + week.comments_made + week.messages_sent + week.connection_requests


def content_actions(week: ParticipantWeek) -> int:
    """Own actions that show the skill: connection requests alone never do."""
    return week.posts + week.comments_made + week.messages_sent


def interactions(week: ParticipantWeek) -> int:
    return week.reactions_received + week.comments_received + week.replies_received


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compute(
    organisation: Organisation,
    participants: list,
    *,
    today: date | None = None,
    thresholds: Thresholds = DEFAULT,
) -> dict[int, Indicators]:
    """Indicators for these participants, from one query over their last 26 weeks."""
    current = monday(today or timezone.localdate())
    since = current - timedelta(weeks=25)
    strategy = {p.pk: p.selling_strategy for p in participants}
    by_person: dict[int, dict[date, ParticipantWeek]] = defaultdict(dict)
    for row in ParticipantWeek.objects.filter(
        organisation=organisation, participant_id__in=list(strategy), week__gte=since
    ):
        by_person[row.participant_id][row.week] = row
    window = [current - timedelta(weeks=i) for i in range(thresholds.window_weeks)]
    span = [current - timedelta(weeks=i) for i in range(26)]
    return {
        pid: _one(pid, by_person[pid], window, span, strategy[pid], thresholds) for pid in strategy
    }


def _one(
    pid: int,
    weeks: dict[date, ParticipantWeek],
    window: list[date],
    span: list[date],
    strategy: str,
    t: Thresholds,
) -> Indicators:
    empty = ParticipantWeek()
    rows = [weeks.get(w, empty) for w in window]  # newest first
    ind = Indicators(participant_id=pid)
    ind.active_weeks = sum(1 for r in rows if content_actions(r) > 0)
    ind.regular = ind.active_weeks >= t.regular_weeks
    posts = sum(r.posts for r in rows)
    if strategy == SellingStrategy.DIRECT_ACQUISITION:
        sent = sum(r.messages_sent for r in rows)
        ind.quality = sum(r.replies_received for r in rows) / sent if sent else None
        good = ind.quality is not None and ind.quality >= t.reply_rate
    else:
        received = sum(r.reactions_received + r.comments_received for r in rows)
        ind.quality = received / posts if posts else None
        good = ind.quality is not None and ind.quality >= t.quality_per_post
    ind.handles_skill = ind.regular and good
    ind.meetings_via_linkedin = sum(w.meetings_via_linkedin for w in weeks.values())
    ind.deals_via_linkedin = sum(w.deals_via_linkedin for w in weeks.values())

    # Early warnings.
    last4, last3 = rows[:4], rows[:3]
    tracked = any(r.interactions_tracked for r in rows)
    if sum(1 for r in last4 if own_actions(r) > 0) >= t.quit_active_weeks:
        if not tracked:
            ind.warnings.append(
                (Warning.NO_INTERACTION_DATA,
                 "active, but no interaction data: import analytics or use the quick log")
            )  # fmt: skip
        elif all(interactions(r) == 0 for r in last3):
            ind.warnings.append(
                (Warning.ABOUT_TO_QUIT,
                 f"active in {sum(1 for r in last4 if own_actions(r) > 0)} of the last 4 weeks "
                 f"but no interaction received in the last {t.quit_silent_weeks}")
            )  # fmt: skip
    recent = rows[: t.lapsed_weeks]
    earlier_active = any(
        own_actions(w) > 0 for week, w in weeks.items() if week < window[t.lapsed_weeks - 1]
    )
    if earlier_active and all(own_actions(r) == 0 for r in recent):
        ind.warnings.append(
            (Warning.LAPSED, f"was active, then no own action for {t.lapsed_weeks} weeks")
        )

    # Gaming: a burst of connection requests with nothing else, far above one's own habit.
    requests = [weeks[w].connection_requests if w in weeks else 0 for w in span]
    median = statistics.median(requests)
    for week, w in sorted(weeks.items()):
        if (
            w.connection_requests > t.gaming_minimum
            and w.connection_requests > t.gaming_ratio * median
            and content_actions(w) == 0
        ):
            ind.gaming_weeks.append(week)
    return ind
