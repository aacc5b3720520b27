"""Who may do what with the organisation's identity settings, by role: one function per action."""

from __future__ import annotations

from programme.models import Membership, Role

# SSO ----------------------------------------------------------------------------------------------


def can_configure_sso(membership: Membership) -> bool:
    """The organisation's admins connect, change and remove its identity provider: it decides
    who gets in, so not even the programme's consultants do."""
    return membership.role == Role.ADMIN


def sso_jit_role() -> str:
    """The one role a provider may give someone it signs in for the first time (when the admin
    allowed it): a seller, the least a member can do; anything more is given by a person."""
    return Role.SELLER


# SCIM ------------------------------------------------------------------------------------------


def can_manage_scim(membership: Membership) -> bool:
    """Only the organisation's admins create and revoke SCIM tokens: a token can create,
    change and deactivate any provisioned member."""
    return membership.role == Role.ADMIN
