"""The showcase's panels on the organisation home page: featured cases, marketing's newest
picks for the people who amplify them, and for marketing how its picks were taken up."""

from __future__ import annotations

from programme import selectors as programme_selectors
from programme.home import HomePanel, register_home_panel
from programme.models import Membership
from showcase import policies, selectors

HOME_PICKS = 3


@register_home_panel
def new_picks_panel(membership: Membership) -> HomePanel | None:
    if not policies.can_take_up_pick(
        membership, programme_selectors.own_participant(membership) is not None
    ):
        return None
    picks = selectors.picks_for(membership, limit=HOME_PICKS)
    if not picks:
        return None
    return {"template": "showcase/_picks_panel.html", "picks": picks}


@register_home_panel
def posted_picks_panel(membership: Membership) -> HomePanel | None:
    if not policies.can_post_pick(membership):
        return None
    return {
        "template": "showcase/_posted_picks_panel.html",
        "picks": selectors.picks_posted(membership),
    }


@register_home_panel
def featured_cases_panel(membership: Membership) -> HomePanel | None:
    cases = selectors.featured(membership)
    if not cases:
        return None
    return {"template": "showcase/_home_panel.html", "cases": cases}
