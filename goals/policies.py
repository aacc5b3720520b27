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


# --- OKRIs: everyone in the organisation reads them; the people who own goals write them ---

OBJECTIVE_SETTERS = {Role.SPONSOR, Role.CONSULTANT, Role.MANAGER}


def can_create_objective(membership: Membership) -> bool:
    """Sponsors and consultants for any scope; managers for their own teams (see below)."""
    return membership.role in OBJECTIVE_SETTERS


def can_create_objective_for(membership: Membership, for_own_team: bool) -> bool:
    """The scope: anything for sponsors and consultants, a team of their own for managers."""
    if membership.role == Role.MANAGER:
        return for_own_team
    return membership.role in OBJECTIVE_SETTERS


def can_edit_objective(membership: Membership, owner_id: int | None, manages_team: bool) -> bool:
    """Add key results and initiatives, check in, archive: the owner, a sponsor or consultant,
    or the manager of the objective's team."""
    return (
        membership.pk == owner_id
        or membership.role in {Role.SPONSOR, Role.CONSULTANT}
        or (membership.role == Role.MANAGER and manages_team)
    )


def can_confirm_revenue(membership: Membership) -> bool:
    """Revenue in the first phase's key results stays only if a sponsor says so."""
    return membership.role == Role.SPONSOR


def can_update_initiative(membership: Membership, initiative_owner_id: int | None,
                          edits_objective: bool) -> bool:  # fmt: skip
    return edits_objective or membership.pk == initiative_owner_id
