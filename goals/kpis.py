"""KPIs beside the OKRs: the change indicators the rollups already compute for a group (the
programme, a wave, a team), watched without a target, each with its 12-week trend.

They come from metrics (its newest week and its group trend, which already hides groups too
small to show); goals adds only the choice of indicators and a sparkline drawn on the server as
plain SVG (no script, no inline style), with its numbers in words for screen readers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from metrics.dashboards import group_trend
from metrics.models import GroupKind, GroupWeek
from metrics.selectors import latest_week
from programme.models import Organisation

TREND_WEEKS = 12
SPARK_WIDTH, SPARK_HEIGHT = 120, 28

# (column, label, share of the group's people or a plain count)
KPIS = [
    ("active", _("Active this week"), True),
    ("regular", pgettext_lazy("indicator", "Regular"), True),
    ("handles_skill", _("Handles the skill"), True),
    ("receiving", _("Receiving interactions"), True),
    ("about_to_quit", _("About to quit"), False),
]


@dataclass
class Kpi:
    label: str
    share: bool
    values: list[float]
    weeks: list[object]

    @property
    def now(self) -> float:
        return self.values[-1]

    @property
    def change(self) -> float:
        return self.values[-1] - self.values[0]

    @property
    def sparkline(self) -> SafeString:
        return sparkline_svg(self.values, label=self.description)

    @property
    def description(self) -> str:
        unit = "%" if self.share else ""
        return gettext("%(label)s: %(first)s%(unit)s %(weeks)s weeks ago, %(now)s%(unit)s now") % {
            "label": self.label, "first": f"{self.values[0]:g}", "now": f"{self.now:g}",
            "unit": unit, "weeks": len(self.values) - 1,
        }  # fmt: skip


@dataclass
class KpiPanel:
    group: str  # what the numbers are about, in words
    week: object = None
    kpis: list[Kpi] = field(default_factory=list)
    masked: bool = False  # the group is too small to show numbers


def _value(row: GroupWeek, column: str, share: bool) -> float:
    value = getattr(row, column)
    if not share:
        return float(value)
    return round(100 * value / row.participants, 1) if row.participants else 0.0


def kpi_panel(organisation: Organisation, *, kind: str, group_id: int, group: str) -> KpiPanel:
    """The group's KPIs at the newest rollup week (two queries)."""
    panel = KpiPanel(group=group)
    week = latest_week(organisation)
    if week is None:
        return panel
    panel.week = week
    rows = group_trend(organisation, kind, group_id, week)[-TREND_WEEKS:]
    if not rows or rows[-1].week != week:
        panel.masked = True
        return panel
    weeks = [row.week for row in rows]
    panel.kpis = [
        Kpi(label=str(label), share=share, values=[_value(r, column, share) for r in rows],
            weeks=weeks)
        for column, label, share in KPIS
    ]  # fmt: skip
    return panel


def sparkline_svg(values: list[float], *, label: str) -> SafeString:
    """A small line of the values, scaled to their own range (a flat line when constant)."""
    if not values:
        return mark_safe("")
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    points = " ".join(
        f"{index * step:.1f},{SPARK_HEIGHT - 2 - (value - low) / span * (SPARK_HEIGHT - 4):.1f}"
        for index, value in enumerate(values)
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    return format_html(
        '<svg class="kpi-spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}"><title>{label}</title>'
        '<polyline points="{points}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        '<circle cx="{x}" cy="{y}" r="2.5" fill="currentColor"/></svg>',
        w=SPARK_WIDTH, h=SPARK_HEIGHT, label=label, points=points, x=last_x, y=last_y,
    )  # fmt: skip


def scope_of(organisation: Organisation, *, programme: object = None, wave: object = None,
             team: object = None) -> tuple[str, int, str]:  # fmt: skip
    """(group kind, group id, words) for the narrowest filter chosen, else the organisation."""
    if team is not None:
        return GroupKind.TEAM, team.pk, gettext("team %(name)s") % {"name": team.name}
    if wave is not None:
        return GroupKind.WAVE, wave.pk, gettext("wave %(number)s of %(programme)s") % {
            "number": wave.number, "programme": wave.programme.name,
        }  # fmt: skip
    if programme is not None:
        return GroupKind.PROGRAMME, programme.pk, programme.name
    return GroupKind.ORGANISATION, organisation.pk, gettext("everyone in the organisation")
