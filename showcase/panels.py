"""The showcase's panel on the organisation home page: featured cases."""

from __future__ import annotations

from programme.home import HomePanel, register_home_panel
from programme.models import Membership
from showcase import selectors


@register_home_panel
def featured_cases_panel(membership: Membership) -> HomePanel | None:
    cases = selectors.featured(membership)
    if not cases:
        return None
    return {"template": "showcase/_home_panel.html", "cases": cases}
