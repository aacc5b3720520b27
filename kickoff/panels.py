"""What the kick-off app adds to the organisation home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from kickoff import policies, selectors
from programme.home import HomePanel, register_home_panel, register_programme_links
from programme.models import Membership, Participant
from programme.person import PersonPanel, register_person_panel
from programme.viewer import Viewer


@register_home_panel
def open_kickoff_panel(viewer: Viewer) -> HomePanel | None:
    """A kick-off open right now, for the people in the room (not for those running it)."""
    membership = viewer.membership
    if not policies.is_in_the_room(membership):
        return None
    sessions = selectors.open_kickoffs([membership], limit=3)
    if not sessions:
        return None
    return {"template": "kickoff/_open_panel.html", "sessions": sessions}


@register_home_panel
def running_kickoff_panel(viewer: Viewer) -> HomePanel | None:
    """For those who run kick-offs: the sessions open right now, one click from the projector
    and the board (it took five steps through the programme on the day of the room)."""
    membership = viewer.membership
    if not policies.can_run_kickoff(membership):
        return None
    sessions = selectors.open_kickoffs([membership], limit=3)
    if not sessions:
        return None
    return {"template": "kickoff/_running_panel.html", "sessions": sessions}


@register_home_panel
def kickoff_home_panel(viewer: Viewer) -> HomePanel | None:
    membership = viewer.membership
    if not policies.can_follow_up_concern(membership):
        return None
    overdue = selectors.overdue_concerns(membership.organisation)
    items = list(overdue[:8])
    if not items:
        return None
    return {"template": "kickoff/_home_panel.html", "overdue": items, "count": overdue.count()}


@register_programme_links
def kickoff_programme_links(membership: Membership, programme: object) -> list[tuple[str, str]]:
    org = membership.organisation.slug
    said_did = reverse("kickoff-you-said-we-did", args=[org, programme.code])
    links = [(gettext("You said, we did"), said_did)]
    if policies.can_view_kickoff_board(membership):
        links.insert(
            0, (gettext("Kick-offs"), reverse("kickoff-session-list", args=[org, programme.code]))
        )
    if policies.can_map_stakeholders(membership):
        links.append((gettext("Stakeholder map"), reverse("kickoff-stakeholder-map", args=[org])))
    if policies.can_plan_waves(membership):
        links.append(
            (gettext("Wave planner"), reverse("kickoff-wave-planner", args=[org, programme.code]))
        )
    return links


@register_person_panel
def stakeholder_person_panel(viewer: Viewer, participant: Participant) -> PersonPanel | None:
    """On a person's page: their wave in each programme (for whoever sees the page) and, for
    those who map stakeholders, where they stand and a link to their stakeholder page."""
    membership = viewer.membership
    waves = selectors.person_waves(participant)
    latest = None
    stakeholder_url = ""
    if policies.can_map_stakeholders(membership):
        latest = selectors.latest_assessment(participant)
        stakeholder_url = reverse(
            "kickoff-stakeholder-detail", args=[membership.organisation.slug, participant.code]
        )
    if not waves and not stakeholder_url:
        return None
    return {
        "template": "kickoff/_person_panel.html",
        "waves": waves,
        "latest": latest,
        "stakeholder_url": stakeholder_url,
    }
