"""Who may do what with activity data, by role: one function per action."""

from __future__ import annotations

from programme.models import Membership, Role


def can_import_for_others(membership: Membership) -> bool:
    """Upload exports on a seller's behalf, and the CRM and SSI files for many sellers."""
    return membership.role in {Role.CONSULTANT, Role.ADMIN}


def can_view_import(membership: Membership, activity_import: object) -> bool:
    return can_import_for_others(membership) or activity_import.uploaded_by_id == membership.pk


def can_manage_api_tokens(membership: Membership) -> bool:
    return membership.role == Role.ADMIN
