"""Template filters for goals' words."""

from __future__ import annotations

from django import template

from goals.text import lowerfirst

register = template.Library()

# A choice label inside a line ("stay at or above 60"): only its first letter goes down, so
# German nouns ("Das ganze Programm" -> "das ganze Programm") keep their capitals.
register.filter("lowerfirst", lowerfirst, is_safe=True)
