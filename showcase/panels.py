"""The showcase's panels on the organisation home page: featured cases, marketing's newest
picks for the people who amplify them, and for marketing how its picks were taken up.

The home page hands each panel the request's `Viewer`, which its selectors take (the
participant looked up once for the page, and only if a panel needs it)."""

from __future__ import annotations

from programme.home import HomePanel, register_home_panel
from programme.viewer import Viewer
from showcase import policies, selectors

HOME_PICKS = 3


@register_home_panel
def new_picks_panel(viewer: Viewer) -> HomePanel | None:
    if not policies.can_take_up_pick(viewer.membership, viewer.participant is not None):
        return None
    picks = selectors.picks_for(viewer, limit=HOME_PICKS)
    if not picks:
        return None
    return {"template": "showcase/_picks_panel.html", "picks": picks}


@register_home_panel
def posted_picks_panel(viewer: Viewer) -> HomePanel | None:
    if not policies.can_post_pick(viewer.membership):
        return None
    return {
        "template": "showcase/_posted_picks_panel.html",
        "picks": selectors.picks_posted(viewer),
    }


@register_home_panel
def featured_cases_panel(viewer: Viewer) -> HomePanel | None:
    cases = selectors.featured(viewer)
    if not cases:
        return None
    return {"template": "showcase/_home_panel.html", "cases": cases}
