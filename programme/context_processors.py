from __future__ import annotations

from django.http import HttpRequest

from programme import navigation, policies, selectors


def tenancy(request: HttpRequest) -> dict[str, object]:
    """The current membership (set by tenancy.membership_for_request), the switcher list and
    the navigation the member's role has (programme.navigation, filled by every app)."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation if membership else None,
        "user_memberships": selectors.memberships_of_user(user),
        "nav_sections": navigation.navigation_for(membership, match.url_name if match else None)
        if membership is not None
        else [],
        "nav": {
            "people": membership is not None and policies.can_view_people(membership),
            "teams": membership is not None and policies.can_view_teams(membership),
            "roster": membership is not None and policies.can_import_roster(membership),
            "settings": membership is not None
            and policies.can_change_organisation_settings(membership),
        },
    }
