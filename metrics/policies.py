"""Who may do what with activity data, by role: one function per action.

Most take the membership (navigation and `tenant_view(policy=...)` ask them); those that depend on
where the member sits in the team tree take the request's `Viewer`, which knows the member's own
team and the teams below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metrics.models import ImportKind
from programme.models import Membership, Participant, Role

if TYPE_CHECKING:
    from programme.viewer import Viewer


# The imports that are one person's own LinkedIn files (the others hold rows for many people).
LINKEDIN_KINDS = (ImportKind.LINKEDIN_EXPORT, ImportKind.LINKEDIN_ANALYTICS)


def can_import_for_others(membership: Membership) -> bool:
    """Upload exports on a seller's behalf, and the CRM and SSI files for many sellers."""
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


def can_view_import(membership: Membership, activity_import: object) -> bool:
    return can_import_for_others(membership) or activity_import.uploaded_by_id == membership.pk


def can_import(membership: Membership, kind: str, participant: Participant | None) -> bool:
    """Upload a file: one's own LinkedIn files; the programme team also the LinkedIn files of
    anyone in the organisation, and the SSI and CRM files that hold rows for many people."""
    if kind not in LINKEDIN_KINDS:
        return kind in ImportKind.values and can_import_for_others(membership)
    if participant is None or participant.organisation_id != membership.organisation_id:
        return False
    return participant.membership_id == membership.pk or can_import_for_others(membership)


def can_log_activity(membership: Membership, participant: Participant) -> bool:
    """Quick log and SSI entry: each person logs their own activity, nobody else's."""
    return participant.membership_id == membership.pk


def can_manage_api_tokens(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


def can_set_thresholds(membership: Membership) -> bool:
    """Adopt indicator thresholds (the success definitions voted with the sellers)."""
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


# --- Dashboards -----------------------------------------------------------------------------------


def can_view_programme_dashboard(membership: Membership) -> bool:
    """Funnel, usage, snowball, stances, waves and teams: aggregates only."""
    return membership.role in {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}


def can_view_team_dashboard(membership: Membership) -> bool:
    return membership.role in {Role.MANAGER, Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}


def can_choose_any_team(membership: Membership) -> bool:
    """Managers see their own team and the teams below it; these roles may pick any team."""
    return membership.role in {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}


def can_view_consultant_dashboard(membership: Membership) -> bool:
    """At-risk and lapsed lists with names, gaming flags, the consultation agenda."""
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


def sees_individuals(membership: Membership) -> bool:
    """Per-seller indicators: the programme team always; managers only if the organisation
    chose so; sponsors never (trust dies when the top watches individuals)."""
    if membership.role in {Role.CONSULTANT, Role.ADMIN}:
        return True
    return membership.role == Role.MANAGER and membership.organisation.managers_see_individuals


def can_view_team(viewer: Viewer, team_id: int) -> bool:
    """A team's dashboard and the people behind its numbers: any team for the programme team
    and sponsors; for a manager their own team and the teams below it, never one beside or
    above it."""
    membership = viewer.membership
    if can_choose_any_team(membership):
        return True
    return can_view_team_dashboard(membership) and team_id in viewer.team_ids


def can_view_people_behind_numbers(membership: Membership) -> bool:
    """From a count on a dashboard to the names it counts: whoever sees individuals."""
    return sees_individuals(membership)


def limited_to_own_teams(membership: Membership) -> bool:
    """Whether the people this member sees individually are only those of their own team and
    below (managers), rather than everyone (the programme team)."""
    return membership.role == Role.MANAGER


def can_view_person_indicators(viewer: Viewer, participant: Participant) -> bool:
    """A person's indicators on their page: the person themself; consultants and admins; a
    manager for people of their own team and below, when the organisation allows individual
    view; never a sponsor (aggregates only), a seller or marketing for someone else."""
    membership = viewer.membership
    if participant.membership_id == membership.pk:
        return True
    if participant.organisation_id != membership.organisation_id:
        return False
    if not sees_individuals(membership):
        return False
    if limited_to_own_teams(membership):
        return participant.team_id is not None and participant.team_id in viewer.team_ids
    return True


def dashboard_route(membership: Membership) -> str:
    """Where "Dashboard" leads each role."""
    if can_view_consultant_dashboard(membership):
        return "metrics-dashboard-consultant"
    if membership.role == Role.SPONSOR:
        return "metrics-dashboard-sponsor"
    if membership.role == Role.MANAGER:
        return "metrics-dashboard-manager"
    if membership.role == Role.MARKETING:
        # Marketing takes part in no programme: an empty My progress said nothing to them.
        return "showcase-pick-report"
    return "metrics-dashboard-seller"


def has_dashboard(membership: Membership) -> bool:
    """Marketing has no dashboard of its own: its page is its picks and their uptake."""
    return membership.role != Role.MARKETING


def can_view_own_progress(membership: Membership) -> bool:
    """Sellers and managers log their own activity and follow their own progress."""
    return membership.role in {Role.SELLER, Role.MANAGER}
