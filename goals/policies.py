"""Who may do what with success definitions, rituals and celebrations: one function per action."""

from __future__ import annotations

from programme.models import Membership, Role

PARTICIPANT_ROLES = {Role.SELLER, Role.MANAGER}


def can_propose(membership: Membership, has_participant: bool) -> bool:
    """Success is defined with the sellers: the people in the programme propose."""
    return membership.role in PARTICIPANT_ROLES and has_participant


def can_vote(membership: Membership, has_participant: bool) -> bool:
    return membership.role in PARTICIPANT_ROLES and has_participant


def can_run_votes(membership: Membership) -> bool:
    """Open voting windows, adopt or set aside proposals."""
    return membership.role == Role.CONSULTANT
