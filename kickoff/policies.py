"""Who may do what around kick-offs, by role: one function per action."""

from __future__ import annotations

from programme.models import Membership, Role


def can_run_kickoff(membership: Membership) -> bool:
    """Plan, open and close sessions, run the projector, merge and categorise, log emotions."""
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


def can_view_kickoff_board(membership: Membership) -> bool:
    return membership.role in {Role.CONSULTANT, Role.ADMIN, Role.SPONSOR}


def can_follow_up_concern(membership: Membership) -> bool:
    """Verify, own, work on and answer concerns."""
    return membership.role in {Role.CONSULTANT, Role.SPONSOR}


def can_map_stakeholders(membership: Membership) -> bool:
    """Stances are sensitive: who is an opponent is for the consultant's eyes (and admins')."""
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


def can_plan_waves(membership: Membership) -> bool:
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


def can_join_kickoff(membership: Membership) -> bool:
    """Join an open session, say what worries you and second others' concerns: everyone in the
    organisation may (the sponsor and the programme team sit in the room too)."""
    return membership.role in set(Role)


def is_in_the_room(membership: Membership) -> bool:
    """Who a kick-off is for: the people whose concerns it collects (those running it and the
    sponsor, who answers the concerns, are offered the board instead)."""
    return membership.role in {Role.SELLER, Role.MANAGER, Role.MARKETING}


# --- Kick-off formats --------------------------------------------------------------------------


def can_manage_kickoff_formats(membership: Membership) -> bool:
    """Save, edit, rename and archive formats, plan a session from one: whoever runs kick-offs."""
    return can_run_kickoff(membership)


def can_compare_kickoffs(membership: Membership) -> bool:
    """See the formats and compare their sessions wave over wave: whoever reads the board (the
    sponsor included: the comparison holds counts and the concerns the board shows already)."""
    return can_view_kickoff_board(membership)


# --- Moderation, themes, export (issue #22) ---


def can_moderate_concerns(membership: Membership) -> bool:
    """Approve or reject the concerns held for moderation: who runs the kick-off."""
    return can_run_kickoff(membership)


def can_export_concerns(membership: Membership) -> bool:
    """Download a session's concerns and counts: who may read its board."""
    return can_view_kickoff_board(membership)
