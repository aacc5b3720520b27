from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programme import navcache, navigation, policies, selectors
from programme.models import Membership
from programme.tenancy import remembered_organisation_slug


def tenancy(request: HttpRequest) -> dict[str, object]:
    """The current membership (set by tenancy.membership_for_request), the switcher list and
    the navigation the member's role has (programme.navigation, filled by every app)."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = selectors.memberships_of_user(user)
    # Pages outside an organisation (/join/) keep the navigation of the one last used.
    nav_membership = membership or _remembered(request, memberships)
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else None
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation if membership else None,
        "user_memberships": memberships,
        "nav_membership": nav_membership,
        # Lazy: base.html draws the bar from the cache (programme.navcache) when it can.
        "nav_sections": SimpleLazyObject(
            lambda: (
                navigation.navigation_for(nav_membership, url_name)
                if nav_membership is not None
                else []
            )
        ),
        "nav_cache_key": SimpleLazyObject(
            lambda: navcache.nav_cache_key(user, nav_membership, memberships, url_name)
        ),
        "nav": {
            "people": membership is not None and policies.can_view_people(membership),
            "teams": membership is not None and policies.can_view_teams(membership),
            "roster": membership is not None and policies.can_import_roster(membership),
            "settings": membership is not None
            and policies.can_change_organisation_settings(membership),
        },
    }


def _remembered(request: HttpRequest, memberships) -> Membership | None:
    """Only on pages outside any organisation; the switcher's list is evaluated anyway."""
    if getattr(request, "resolver_match", None) is None or not hasattr(request, "session"):
        return None
    remembered = remembered_organisation_slug(request)
    candidates = list(memberships)
    chosen = next((m for m in candidates if m.organisation.slug == remembered), None)
    return chosen or (candidates[0] if len(candidates) == 1 else None)
