"""What the other apps contribute to pages they may not link to directly.

`programme` imports none of the other apps, and an app links only pages of the apps it may
import (tests/test_architecture.py). The others register here, from their AppConfig.ready:
home-page panels, links on a programme's page, and named page links any template can ask for
with `{% page_link "key" as url %}` (programme_links template tags).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from programme.models import Membership

if TYPE_CHECKING:
    from programme.viewer import Viewer

HomePanel = dict[str, Any]  # {"template": "...", ...context}
_providers: list[Callable[[Viewer], HomePanel | None]] = []


def register_home_panel(
    provider: Callable[[Viewer], HomePanel | None],
) -> Callable[[Viewer], HomePanel | None]:
    """`provider(viewer)` returns a panel for the request's viewer (the Viewer the page was
    handed, so every panel shares its participant, teams and wave), or None."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def extra_home_panels(viewer: Viewer) -> list[HomePanel]:
    return [panel for provider in _providers if (panel := provider(viewer))]


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


# Named links to a page of some app: e.g. "indicator-definitions" (goals' success page) shown
# on metrics' dashboards, which may not import goals.
_page_links: dict[str, Callable[[Membership], str | None]] = {}


def register_page_link(key: str, provider: Callable[[Membership], str | None]) -> None:
    _page_links[key] = provider


def page_link(key: str, membership: Membership | None) -> str | None:
    """The URL registered under `key` for this member, or None (no app offers it)."""
    provider = _page_links.get(key)
    return provider(membership) if provider is not None and membership is not None else None
