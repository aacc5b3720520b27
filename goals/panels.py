"""Goals' panel on the organisation home page: the owner's key results whose check-in is
overdue, and their objectives whose period ended and wait to be closed and graded."""

from __future__ import annotations

from goals import selectors
from programme.home import HomePanel, register_home_panel
from programme.viewer import Viewer


@register_home_panel
def okr_attention_panel(viewer: Viewer) -> HomePanel | None:
    attention = selectors.my_okr_attention(viewer)
    if not attention["overdue"] and not attention["to_close"]:
        return None
    return {"template": "goals/_home_panel.html", **attention}
