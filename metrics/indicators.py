"""The change indicators, defined once: their meanings, thresholds and the SQL that computes them.

Regularity and consistency matter more than bursts; connection counts are easy to cheat and
never count toward "handles the skill"; missing interaction is the early warning, and a seller
whose interactions are not tracked at all gets "no interaction data", never a false alarm.

metrics.rollups runs these expressions over a dense participant x week grid (window functions,
one row per participant and week) and stores the result in IndicatorWeek; dashboards read that
and GroupWeek, never the raw events.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from programme.models import Organisation
from programme.tenancy import organisation_zone

# A breakdown of fewer people than this is shown as "too few to show".
MIN_GROUP = 5


@dataclass(frozen=True)
class Thresholds:
    """The programme may tune these (success definitions made with sellers will set them)."""

    window_weeks: int = 8  # regularity looks at this many weeks
    regular_weeks: int = 6  # "regular" at this many active weeks in the window
    quality_per_post: float = 3.0  # interactions received per post
    reply_rate: float = 0.15  # replies per message sent, for direct acquisition
    quit_active_weeks: int = 2  # active in at least this many of the last 4 weeks...
    quit_silent_weeks: int = 3  # ...but no interaction received in the last 3
    lapsed_weeks: int = 3  # was active, then no own action for this many weeks
    gaming_ratio: float = 5.0  # connection requests above this times one's own median...
    gaming_minimum: int = 100  # ...and above this, with no posts, comments or messages

    def params(self) -> dict:
        return asdict(self)


DEFAULT = Thresholds()

# What success definitions made with the sellers may set: label, type, smallest, largest.
TUNABLE: dict[str, tuple[str, type, float, float]] = {
    "regular_weeks": (_("Regular: active weeks out of the last 8"), int, 1, 8),
    "quality_per_post": (_("Handles the skill: interactions received per post"), float, 0.5,
                         100),
    "reply_rate": (_("Handles the skill (direct approach): replies per message sent"), float,
                   0.01, 1),
}  # fmt: skip


def thresholds_for(organisation_id: int) -> Thresholds:
    """The defaults, with what the organisation adopted (one query)."""
    from metrics.models import IndicatorThreshold

    adopted = IndicatorThreshold.objects.filter(
        organisation_id=organisation_id, key__in=TUNABLE
    ).values_list("key", "value")
    return replace(DEFAULT, **{key: TUNABLE[key][1](value) for key, value in adopted})


SPAN_WEEKS = 26  # weeks kept in the indicator tables


class Warning:
    ABOUT_TO_QUIT = "about_to_quit"
    LAPSED = "lapsed"
    NO_INTERACTION_DATA = "no_interaction_data"


WARNING_LABELS = {
    Warning.ABOUT_TO_QUIT: _("About to quit"),
    Warning.LAPSED: _("Lapsed"),
    Warning.NO_INTERACTION_DATA: _("No interaction data"),
}


# --- Per week counts, from one ParticipantWeek row (pw; missing weeks count as zero) ---
# Own actions: posts, comments made, private messages sent, connection requests sent.
OWN_ACTIONS = "pw.posts + pw.comments_made + pw.messages_sent + pw.connection_requests"
# Own actions that show the skill: connection requests alone never do.
CONTENT_ACTIONS = "pw.posts + pw.comments_made + pw.messages_sent"
# Interactions received (profile views are kept apart).
INTERACTIONS = "pw.reactions_received + pw.comments_received + pw.replies_received"
INTERACTIONS_ON_POSTS = "pw.reactions_received + pw.comments_received"

# An event that shows the person's interactions are tracked: an interaction source (analytics,
# quick log or API) reported what they received, even a day with nothing received. Once any
# has, the person is tracked for good; last_tracked says when it last reported.
TRACKED_EVENT = (
    "e.source IN ('linkedin_analytics', 'quick_log', 'api') AND e.kind IN "
    "('message_reply_received', 'reactions_received', 'comments_received', "
    "'profile_views', 'post_impressions')"
)

# --- Indicators of one participant-week, over window columns computed by metrics.rollups ---
# (active_weeks: weeks with content actions in the window; posts_w / on_posts_w / messages_w /
# replies_w / received_w: sums over the window; tracked: an interaction source has ever
# reported for the person, up to this week; own_weeks_4: weeks with own actions among the last
# 4; received_3 / own_3: sums over the last 3; acted_before: any own action before those 3
# weeks; requests_median: the person's median weekly connection requests.)
# Quality is unknown (NULL), never 0, while nothing tracks what the person receives.
QUALITY = """CASE WHEN NOT tracked THEN NULL
                  WHEN direct THEN replies_w::float / NULLIF(messages_w, 0)
                  ELSE on_posts_w::float / NULLIF(posts_w, 0) END"""
REGULAR = "active_weeks >= %(regular_weeks)s"
HANDLES_SKILL = f"""({REGULAR}) AND COALESCE(({QUALITY}) >= CASE WHEN direct
                        THEN %(reply_rate)s ELSE %(quality_per_post)s END, FALSE)"""
ABOUT_TO_QUIT = "tracked AND own_weeks_4 >= %(quit_active_weeks)s AND received_3 = 0"
NO_INTERACTION_DATA = "NOT tracked AND own_weeks_4 >= %(quit_active_weeks)s"
LAPSED = "own_3 = 0 AND acted_before"
GAMING = """requests > %(gaming_minimum)s AND requests > %(gaming_ratio)s * requests_median
            AND content = 0"""


def skill_and_quit_note(row: object, thresholds: Thresholds = DEFAULT) -> str:
    """Why "handles the skill" and "about to quit" can both be true in one week, in the words
    of their definitions (README, Indicators); empty unless both are."""
    if not (row is not None and row.handles_skill and row.about_to_quit):
        return ""
    return skill_and_quit_text(thresholds)


def skill_and_quit_text(thresholds: Thresholds = DEFAULT) -> str:
    return gettext(
        "Both are true this week: “handles the skill” looks at the last %(window)s weeks "
        "(regular, with quality at or above the threshold), “about to quit” at the last "
        "%(silent)s (still active, but no interaction received). A good record is going "
        "quiet: this is the moment to help, before the habit stops."
    ) % {"window": thresholds.window_weeks, "silent": thresholds.quit_silent_weeks}


def warnings(row: object, thresholds: Thresholds = DEFAULT) -> list[tuple[str, str]]:
    """The early warnings of one IndicatorWeek row, each with the reason people read."""
    found = []
    if row.about_to_quit:
        weeks = thresholds.quit_silent_weeks
        stale = stale_since(row, thresholds)
        if stale is None:
            reason = ngettext(
                "active in recent weeks but no interaction received in the last %(weeks)s week",
                "active in recent weeks but no interaction received in the last %(weeks)s weeks",
                weeks,
            ) % {"weeks": weeks}
        else:
            # Tracked once is tracked for good, so the alarm never goes quiet; the day the data
            # last came in lets the reader tell a silent audience from an import that stopped.
            reason = ngettext(
                "active in recent weeks but no interaction received in the last %(weeks)s week "
                "(last interaction data on %(day)s)",
                "active in recent weeks but no interaction received in the last %(weeks)s weeks "
                "(last interaction data on %(day)s)",
                weeks,
            ) % {"weeks": weeks, "day": date_format(stale, "DATE_FORMAT")}
        found.append((Warning.ABOUT_TO_QUIT, reason))
    if row.lapsed:
        found.append(
            (Warning.LAPSED,
             ngettext("was active, then no own action for %(weeks)s week",
                      "was active, then no own action for %(weeks)s weeks",
                      thresholds.lapsed_weeks) % {"weeks": thresholds.lapsed_weeks})
        )  # fmt: skip
    if row.no_interaction_data:
        found.append(
            (Warning.NO_INTERACTION_DATA,
             gettext("active, but no interaction data: import analytics or use the quick log"))
        )  # fmt: skip
    return found


def stale_since(row: object, thresholds: Thresholds = DEFAULT) -> date | None:
    """The last day any interaction source reported for the person, when that lies before the
    silent weeks "about to quit" looks at (None when the data is recent, or unknown)."""
    last, week = getattr(row, "last_tracked", None), getattr(row, "week", None)
    if last is None or week is None:
        return None
    return last if last < week - timedelta(weeks=thresholds.quit_silent_weeks - 1) else None


def next_step(row: object | None, thresholds: Thresholds = DEFAULT) -> str:
    """One suggested next step for a seller, from their current indicators."""
    if row is None or not row.first_action:
        return gettext(
            "Start small: comment thoughtfully on two posts by customers this week. "
            "A first step counts more than a perfect one."
        )
    if row.no_interaction_data:
        return gettext(
            "Add your interactions (analytics export or the quick log) so we can tell "
            "what works for you."
        )
    if row.lapsed:
        return gettext(
            "Pick up where you left off: one comment or one post this week restarts the habit."
        )
    if row.about_to_quit:
        return gettext(
            "Nothing came back lately: ask a question in your next post, or comment on posts "
            "of people you want to reach; conversations start there."
        )
    if not row.regular:
        missing = thresholds.regular_weeks - row.active_weeks
        return ngettext(
            # Translators: missing is how many more active weeks, window the weeks looked at.
            "Be there every week: %(missing)s more active week in %(window)s makes you "
            "regular. Regular beats a burst.",
            "Be there every week: %(missing)s more active weeks in %(window)s make you "
            "regular. Regular beats a burst.",
            missing,
        ) % {"missing": missing, "window": thresholds.window_weeks}
    if not row.handles_skill:
        return gettext(
            "You are regular. Now aim for conversations: reply to every comment you get and "
            "turn one into a private message."
        )
    return gettext(
        "You handle the skill. Share what worked in a case study: your peers learn most from you."
    )


def organisation_today(organisation: Organisation) -> date:
    """Today in the organisation's time zone: weeks start on its Mondays."""
    return datetime.now(organisation_zone(organisation)).date()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
