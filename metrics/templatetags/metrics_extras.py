from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from metrics.indicators import WARNING_LABELS

register = template.Library()


@register.filter
def indent_dots(depth: int) -> str:
    """Sub-teams are indented by one dot per level in the team tables."""
    return "· " * (depth or 0)


@register.filter
def warning_label(code: str) -> str:
    return WARNING_LABELS.get(code, code)


@register.filter
def week_in_progress(week: date | None) -> bool:
    """Is this the week running now (in the active time zone, the organisation's)? Its counts
    are partial: on a Monday morning "0 active this week" is not a collapse."""
    if week is None:
        return False
    today = timezone.localdate()
    return week == today - timedelta(days=today.weekday())


@register.simple_tag
def quality_text(quality: float | None, direct: bool | str, tracked: bool) -> str:
    """Quality as what it is: the reply rate as a percentage for direct-acquisition sellers
    ("15% replies": 0.15 and 0.14 must not both read "0.1"), interactions per post with one
    decimal for the others; "unknown" while nothing tracks what the person receives, a dash
    when there is nothing to divide by (no post, or no message, in the window)."""
    if not tracked:
        return gettext("unknown")
    if quality is None:
        return "\u2013"  # an en dash: nothing to divide by
    if direct is True or direct == "direct_acquisition":  # a flag, or a selling strategy
        percent = Decimal(str(quality * 100)).quantize(Decimal(1), ROUND_HALF_UP)
        return gettext("%(percent)s%% replies") % {"percent": number_format(percent)}
    per_post = Decimal(str(quality)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return gettext("%(number)s per post") % {"number": number_format(per_post, 1)}
