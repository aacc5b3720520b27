"""Panels other apps add to a person's page (programme participant detail).

`programme` imports none of the other apps; they register here (from their AppConfig.ready) a
function that, given who is looking (the request's Viewer) and at whom, returns a panel or
None. Each provider decides with its own app's policy whether the viewer may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from programme.models import Participant

if TYPE_CHECKING:
    from programme.viewer import Viewer

PersonPanel = dict[str, Any]  # {"template": "...", ...context}
PersonPanelProvider = Callable[["Viewer", Participant], PersonPanel | None]
_providers: list[PersonPanelProvider] = []


def register_person_panel(provider: PersonPanelProvider) -> PersonPanelProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def person_panels(viewer: Viewer, participant: Participant) -> list[PersonPanel]:
    return [panel for provider in _providers if (panel := provider(viewer, participant))]
