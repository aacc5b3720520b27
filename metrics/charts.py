"""The dashboards' charts: pygal SVG rendered on the server (no script; fine in print and mail).

Each function first reduces its rows to plain numbers, then renders (or reuses the SVG already
rendered for exactly those numbers).
"""

from __future__ import annotations

import logging
import math

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from metrics.models import GroupWeek, ParticipantWeek
from programme.charts import cached_svg, chart_options, render_svg

FUNNEL = [
    ("participants", _("In the programme")),
    ("invited", _("Invited")),
    ("trained", _("Attended training")),
    ("first_action", _("First action")),
    # The thresholds in use are written under the charts.
    ("regular", pgettext_lazy("indicator", "Regular")),
    ("receiving", _("Receiving interactions")),
    ("handles_skill", _("Handles the skill")),
    ("with_meeting", _("Meeting booked via LinkedIn")),
    ("with_deal", _("Deal won via LinkedIn")),
]
logger = logging.getLogger(__name__)
STANCE_COLOURS = ("#b02a37", "#e35d6a", "#adb5bd", "#6ea8fe", "#0b4f8a")


def _label(week) -> str:
    # In the active language (a chart's cache key holds its labels, so each language has its own).
    return date_format(week, "d M")


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _weekly(chart: pygal.graph.graph.Graph, labels: list[str], series: list) -> str:
    """One series per line of (name, values), one x label per week, rendered."""
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return render_svg(chart)


def funnel_svg(row: GroupWeek) -> str:
    # Plain strings in the active language: they are part of the cache key.
    stages = [(str(label), getattr(row, name)) for name, label in reversed(FUNNEL)]
    title, people = gettext("Funnel: how far people have come"), gettext("People")

    def build() -> str:
        chart = pygal.HorizontalBar(
            **chart_options(height=340, title=title, show_legend=False)
        )  # fmt: skip
        chart.x_labels = [label for label, _count in stages]
        chart.add(people, [count for _label, count in stages])
        return render_svg(chart)

    return cached_svg("funnel", (title, people, stages), build)


def usage_svg(trend: list[GroupWeek], title: str = "") -> str:
    title = title or gettext("Usage and regularity per week")
    # xgettext:no-python-format
    y_title = gettext("% of participants")
    labels = [_label(row.week) for row in trend]
    series = [
        (gettext("Active this week"), [_share(r.active, r.participants) for r in trend]),
        (pgettext("indicator", "Regular"), [_share(r.regular, r.participants) for r in trend]),
        (
            gettext("Handles the skill"),
            [_share(r.handles_skill, r.participants) for r in trend],
        ),
    ]

    def build() -> str:
        chart = pygal.Line(
            **chart_options(title=title, range=(0, 100), y_title=y_title, dots_size=2)
        )
        return _weekly(chart, labels, series)

    return cached_svg("usage", (title, y_title, labels, series), build)


def snowball_svg(trend: list[GroupWeek]) -> str:
    labels = [_label(row.week) for row in trend]
    series = [
        (gettext("Meetings booked"), [row.meetings_total for row in trend]),
        (gettext("Deals won"), [row.deals_total for row in trend]),
    ]
    title = gettext("Snowball: meetings and deals that came through LinkedIn")

    def build() -> str:
        chart = pygal.Line(**chart_options(title=title, dots_size=2))
        return _weekly(chart, labels, series)

    return cached_svg("snowball", (title, labels, series), build)


def stance_svg(distribution: dict[str, int]) -> str:
    counts = [(str(stance), count) for stance, count in distribution.items()]
    title = gettext("Stance from the kick-off map (latest assessment of each person)")
    people = gettext("People")

    def build() -> str:
        # One horizontal bar per stance, named on its own line and coloured by stance: a
        # vertical group of five thin bars left the counts' axis unreadable.
        chart = pygal.HorizontalBar(
            **chart_options(
                STANCE_COLOURS, height=250,
                title=title,
                show_legend=False, x_labels_major_every=None, x_label_rotation=0,
                print_values=True,
            )
        )  # fmt: skip
        chart.x_labels = [stance for stance, _count in counts]
        chart.add(
            people,
            [
                {"value": count, "color": STANCE_COLOURS[i % len(STANCE_COLOURS)]}
                for i, (_stance, count) in enumerate(counts)
            ],
        )
        return render_svg(chart)

    return cached_svg("stances-by-bar", (title, people, counts), build)


PHONE_WEEKS = 12


def _seller_series(weeks: list[ParticipantWeek]) -> tuple[list[str], list[tuple[str, list]]]:
    labels = [_label(w.week) for w in weeks]
    series = [
        (
            gettext("Your actions"),
            [w.posts + w.comments_made + w.messages_sent + w.connection_requests for w in weeks],
        ),
        (
            gettext("Interactions received"),
            [w.reactions_received + w.comments_received + w.replies_received for w in weeks],
        ),
    ]
    return labels, series


def _count_axis(series: list[tuple[str, list]]) -> list[int]:
    """Whole-number y labels for counts (pygal would write 0.1, 0.2 ... under a peak of 1)."""
    peak = max((max(values, default=0) for _, values in series), default=0)
    step = max(1, math.ceil(peak / 5))
    return list(range(0, peak + step, step))


def seller_svg(weeks: list[ParticipantWeek]) -> str:
    """The whole span; "" when nothing happened in it (the page says so in words instead of
    drawing an empty grid)."""
    labels, series = _seller_series(weeks)
    if not any(any(values) for _, values in series):
        return ""

    title = gettext("Your weeks: what you did, what came back")

    def build() -> str:
        chart = pygal.Bar(
            **chart_options(width=800, height=360, title=title, y_labels=_count_axis(series))
        )  # fmt: skip
        return _weekly(chart, labels, series)

    return cached_svg("seller", (title, labels, series), build)


def seller_phone_svg(weeks: list[ParticipantWeek]) -> str:
    """The last PHONE_WEEKS weeks for a 390 px screen: a 400-unit viewBox (drawn at about
    0.9 scale), text 1.2 times the usual, a whole week label every third bar with no rotation,
    and the legend in one column so neither is cut short."""
    labels, series = _seller_series(weeks[-PHONE_WEEKS:])
    if not any(any(values) for _, values in series):
        return ""

    title = ngettext("Your last %(count)s week", "Your last %(count)s weeks", len(labels)) % {
        "count": len(labels)
    }

    def build() -> str:
        chart = pygal.Bar(
            **chart_options(
                width=400, height=400, font_scale=1.2, x_label_rotation=0,
                y_labels=_count_axis(series),
                x_labels_major_every=3, truncate_label=-1, legend_at_bottom_columns=1,
                title=title,
            )
        )  # fmt: skip
        return _weekly(chart, labels, series)

    return cached_svg("seller-phone", (title, labels, series), build)


# --- The weekly e-mail's chart, as PNG (most mail clients show no SVG) ---------------------------

EMAIL_WEEKS = 12
EMAIL_CHART_WIDTH = 560  # CSS pixels in the message; drawn at twice that for sharp screens
EMAIL_CHART_HEIGHT = 300
EMAIL_CHART_SCALE = 2


def seller_week_numbers(weeks: list[ParticipantWeek]) -> list[tuple[object, int, int]]:
    """(week, your actions, interactions received) per week: the chart's numbers in words."""
    _labels, series = _seller_series(weeks)
    return list(zip((w.week for w in weeks), series[0][1], series[1][1], strict=True))


def seller_email_png(weeks: list[ParticipantWeek]) -> bytes:
    """The last EMAIL_WEEKS weeks of "what you did, what came back" as a PNG; b"" when
    nothing happened (the e-mail then says it in words only). cairosvg rasterises pygal's SVG
    (it needs the libcairo2 system library)."""
    labels, series = _seller_series(weeks[-EMAIL_WEEKS:])
    if not any(any(values) for _, values in series):
        return b""

    def build() -> str:
        chart = pygal.Bar(
            **chart_options(
                width=EMAIL_CHART_WIDTH, height=EMAIL_CHART_HEIGHT, y_labels=_count_axis(series),
                x_labels_major_every=2, x_label_rotation=0, legend_at_bottom_columns=2,
                truncate_label=-1,
            )
        )  # fmt: skip
        return _weekly(chart, labels, series)

    svg = cached_svg("seller-email-png", (labels, series), build)
    try:
        import cairosvg
    except (ImportError, OSError):
        # No libcairo2 on this machine: the e-mail goes out with its numbers, without the chart.
        logger.exception("cairosvg cannot load the cairo library; weekly chart left out")
        return b""
    return cairosvg.svg2png(
        bytestring=svg.encode(),
        output_width=EMAIL_CHART_WIDTH * EMAIL_CHART_SCALE,
        output_height=EMAIL_CHART_HEIGHT * EMAIL_CHART_SCALE,
    )
