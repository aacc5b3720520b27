"""Home-page panels contributed by the other apps.

`programme` imports none of the other apps; they register here (from their AppConfig.ready)
a function that returns what a member should see on their organisation's home page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from programme.models import Membership

HomePanel = dict[str, Any]  # {"template": "...", ...context}
_providers: list[Callable[[Membership], HomePanel | None]] = []


def register_home_panel(
    provider: Callable[[Membership], HomePanel | None],
) -> Callable[[Membership], HomePanel | None]:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def extra_home_panels(membership: Membership) -> list[HomePanel]:
    return [panel for provider in _providers if (panel := provider(membership))]


# Links to other apps' pages about a programme (kick-offs, showcase, ...), shown on its page.
_programme_links: list[Callable[[Membership, Any], list[tuple[str, str]]]] = []


def register_programme_links(
    provider: Callable[[Membership, Any], list[tuple[str, str]]],
) -> Callable[[Membership, Any], list[tuple[str, str]]]:
    if provider not in _programme_links:
        _programme_links.append(provider)
    return provider


def programme_links(membership: Membership, programme: Any) -> list[tuple[str, str]]:
    return [link for provider in _programme_links for link in provider(membership, programme)]
