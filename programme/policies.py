"""Who may do what in the programme core, by role: one function per action."""

from __future__ import annotations

from programme.models import Membership, Participant, Role

STAFF_ROLES = {Role.CONSULTANT, Role.ADMIN}
OVERSIGHT_ROLES = {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}


def can_view_people(membership: Membership) -> bool:
    """Sponsors, consultants and admins see everyone; managers see their own teams."""
    return membership.role in OVERSIGHT_ROLES or membership.role == Role.MANAGER


def can_view_participant(membership: Membership, participant: Participant) -> bool:
    return participant.membership_id == membership.pk or can_view_people(membership)


def can_edit_participant(membership: Membership, participant: Participant) -> bool:
    return participant.membership_id == membership.pk or membership.role in STAFF_ROLES


def can_edit_participant_placement(membership: Membership) -> bool:
    """Team, job role and ambassador flag are set by the programme team, not by oneself."""
    return membership.role in STAFF_ROLES


def can_import_roster(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES


def can_resend_invitation(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES


def can_view_teams(membership: Membership) -> bool:
    return can_view_people(membership)


def can_manage_teams(membership: Membership) -> bool:
    return membership.role in STAFF_ROLES
