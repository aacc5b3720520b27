from __future__ import annotations

from django import template

from metrics.indicators import WARNING_LABELS

register = template.Library()


@register.filter
def indent_dots(depth: int) -> str:
    """Sub-teams are indented by one dot per level in the team tables."""
    return "· " * (depth or 0)


@register.filter
def warning_label(code: str) -> str:
    return WARNING_LABELS.get(code, code)
