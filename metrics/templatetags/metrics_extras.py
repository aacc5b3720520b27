from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.utils import timezone

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
