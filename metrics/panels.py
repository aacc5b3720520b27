"""What the metrics app adds to a person's page: their indicators, to those allowed."""

from __future__ import annotations

from django.urls import reverse

from metrics import policies, selectors
from programme.models import Membership, Participant
from programme.person import PersonPanel, register_person_panel


@register_person_panel
def indicators_person_panel(membership: Membership, participant: Participant) -> PersonPanel | None:
    """Recent weeks of indicators for whoever may see them; the person themself gets a link to
    their own progress page, which already shows all of it."""
    org = membership.organisation.slug
    if participant.membership_id == membership.pk:
        return {
            "template": "metrics/_person_own.html",
            "url": reverse("metrics-dashboard-seller", args=[org]),
        }
    own_ids = (
        selectors.own_team_ids(membership)
        if policies.sees_individuals(membership) and policies.limited_to_own_teams(membership)
        else set()
    )
    if not policies.can_view_person_indicators(membership, participant, own_ids):
        return None
    return {
        "template": "metrics/_person_indicators.html",
        "data": selectors.person_indicators(membership.organisation, participant),
    }
