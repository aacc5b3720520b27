"""What the metrics app adds to a person's page: their indicators, to those allowed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from metrics import policies, selectors
from programme.models import Participant
from programme.person import PersonPanel, register_person_panel
from programme.viewer import Viewer


@register_person_panel
def indicators_person_panel(viewer: Viewer, participant: Participant) -> PersonPanel | None:
    """Recent weeks of indicators for whoever may see them; the person themself gets a link to
    their own progress page, which already shows all of it."""
    membership = viewer.membership
    org = viewer.org
    if participant.membership_id == membership.pk:
        return {
            "template": "metrics/_person_own.html",
            "url": reverse("metrics-dashboard-seller", args=[org]),
        }
    if not policies.can_view_person_indicators(viewer, participant):
        return None
    panel: PersonPanel = {
        "template": "metrics/_person_indicators.html",
        "data": selectors.person_indicators(membership.organisation, participant),
    }
    team = participant.team
    if team is not None and policies.can_view_team(viewer, team.pk):
        # Whoever sees this person's indicators came from (or may open) their team's
        # dashboard and its lists: the way back, at the top of the page.
        panel["back_url"] = (
            reverse("metrics-dashboard-manager", args=[org]) + "?" + urlencode({"team": team.code})
        )
        panel["back_label"] = gettext("Back to the %(team)s dashboard") % {"team": team.name}
    return panel
