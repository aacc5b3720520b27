"""The showcase's panels on the organisation home page: featured cases, marketing's newest
picks for the people who amplify them, and for marketing how its picks were taken up.

The home page hands each panel the membership; each panel builds the `Viewer` its selectors
take (its participant looked up only when the panel needs it)."""

from __future__ import annotations

from programme.home import HomePanel, register_home_panel
from programme.models import Membership
from programme.viewer import Viewer
from showcase import policies, selectors

HOME_PICKS = 3


@register_home_panel
def new_picks_panel(membership: Membership) -> HomePanel | None:
    viewer = Viewer(membership)
    if not policies.can_take_up_pick(membership, viewer.participant is not None):
        return None
    picks = selectors.picks_for(viewer, limit=HOME_PICKS)
    if not picks:
        return None
    return {"template": "showcase/_picks_panel.html", "picks": picks}


@register_home_panel
def posted_picks_panel(membership: Membership) -> HomePanel | None:
    if not policies.can_post_pick(membership):
        return None
    return {
        "template": "showcase/_posted_picks_panel.html",
        "picks": selectors.picks_posted(Viewer(membership)),
    }


@register_home_panel
def featured_cases_panel(membership: Membership) -> HomePanel | None:
    cases = selectors.featured(Viewer(membership))
    if not cases:
        return None
    return {"template": "showcase/_home_panel.html", "cases": cases}
