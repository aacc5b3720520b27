"""`{% page_link "key" as url %}`: a page another app registered under `key` (programme.home),
for the current member; empty when no installed app offers it."""

from __future__ import annotations

from django import template

from programme.home import page_link as registered_page_link

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context: template.Context, key: str) -> str:
    return registered_page_link(key, context.get("current_membership")) or ""
