from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def indent_dots(depth: int) -> str:
    """Sub-teams are indented by one dot per level in the team tables."""
    return "· " * (depth or 0)
