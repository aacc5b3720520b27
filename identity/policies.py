"""Who may do what in the identity app, by role: one function per action."""

from __future__ import annotations

from programme.models import Membership, Role

# SCIM ------------------------------------------------------------------------------------------


def can_manage_scim(membership: Membership) -> bool:
    """Only the organisation's admins create and revoke SCIM tokens: a token can create,
    change and deactivate any provisioned member."""
    return membership.role == Role.ADMIN
