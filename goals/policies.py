"""Who may do what in the goals app: one function per action, the only place goals decides by
role. Services ask these before every write; views ask them only to decide what to show (and
wholly role-gated pages name theirs in `tenant_view(policy=...)`)."""

from __future__ import annotations

from goals.models import Celebration, Objective, Scope
from programme.models import Membership, Role
from programme.viewer import Viewer

PARTICIPANT_ROLES = {Role.SELLER, Role.MANAGER}


def can_propose(membership: Membership, has_participant: bool) -> bool:
    """Success is defined with the sellers: the people in the programme propose."""
    return membership.role in PARTICIPANT_ROLES and has_participant


def can_vote(membership: Membership, has_participant: bool) -> bool:
    return membership.role in PARTICIPANT_ROLES and has_participant


def can_run_votes(membership: Membership) -> bool:
    """Open voting windows, adopt or set aside proposals."""
    return membership.role == Role.CONSULTANT


def can_answer_celebration(membership: Membership, celebration: Celebration) -> bool:
    """Whether and how a milestone is celebrated is its owner's call alone."""
    return celebration.participant.membership_id == membership.pk


# --- OKRIs: everyone in the organisation reads them; the people who own goals write them ---

OBJECTIVE_SETTERS = {Role.SPONSOR, Role.CONSULTANT, Role.MANAGER}
OBJECTIVE_EDITORS = {Role.SPONSOR, Role.CONSULTANT}


def can_create_objective(membership: Membership) -> bool:
    """Sponsors and consultants for any scope; managers for their own teams (see below)."""
    return membership.role in OBJECTIVE_SETTERS


def can_create_objective_for(viewer: Viewer, scope: str, team_id: int | None) -> bool:
    """The scope: anything for sponsors and consultants; for managers, their own team or a team
    below it (their teams are looked up only for a manager)."""
    if viewer.role == Role.MANAGER:
        return scope == Scope.TEAM and team_id in viewer.team_ids
    return viewer.role in OBJECTIVE_SETTERS


def can_edit_objective(viewer: Viewer, objective: Objective) -> bool:
    """Add key results and initiatives, check in, archive: the owner, a sponsor or consultant,
    or a manager of the team the objective is for (their own team or one below it; their teams
    are looked up only when that is the question)."""
    return (
        viewer.membership.pk == objective.owner_id
        or viewer.role in OBJECTIVE_EDITORS
        or (viewer.role == Role.MANAGER and objective.scope == Scope.TEAM
            and objective.team_id in viewer.team_ids)
    )  # fmt: skip


def can_confirm_revenue(membership: Membership) -> bool:
    """Revenue in the first phase's key results stays only if a sponsor says so."""
    return membership.role == Role.SPONSOR


def can_update_initiative(membership: Membership, initiative_owner_id: int | None,
                          edits_objective: bool) -> bool:  # fmt: skip
    return edits_objective or membership.pk == initiative_owner_id


# --- Closing a period: grades, lessons, copies forward (issue #22) ---


def can_close_objective(viewer: Viewer, objective: Objective, *, ended: bool) -> bool:
    """Close and grade: once the period has ended, whoever edits the objective (its owner, a
    sponsor or consultant, a manager of its team) or an admin; before its end, only its owner
    or a consultant decide the period is over early."""
    if not ended:
        return viewer.membership.pk == objective.owner_id or viewer.role == Role.CONSULTANT
    return viewer.role == Role.ADMIN or can_edit_objective(viewer, objective)


def can_copy_objective(viewer: Viewer, objective: Objective) -> bool:
    """Copy a closed objective forward to the next period: who may close it once it ended."""
    return can_close_objective(viewer, objective, ended=True)
