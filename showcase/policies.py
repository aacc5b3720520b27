"""Who may do what in the showcase, by role: one function per action."""

from __future__ import annotations

from programme.models import Membership, Role

AUTHOR_ROLES = {Role.SELLER, Role.MANAGER}  # sellers, pre-sales and partners hold Role.SELLER
MODERATOR_ROLES = {Role.CONSULTANT, Role.ADMIN}


def can_author_case(membership: Membership, has_participant: bool) -> bool:
    """Cases are written by the people who did the work, not by the consultant."""
    return membership.role in AUTHOR_ROLES and has_participant


def can_edit_case(membership: Membership, case: object) -> bool:
    # A case left by an erased author (no author) is nobody's to edit any more.
    return case.author_id is not None and case.author.membership_id == membership.pk


def can_moderate(membership: Membership) -> bool:
    """Hide a case or a comment, with a reason the author sees."""
    return membership.role in MODERATOR_ROLES


def sees_hidden(membership: Membership) -> bool:
    return can_moderate(membership)


def can_feature(membership: Membership) -> bool:
    """Put a case (whose author agreed) on the programme home page, or take it off."""
    return membership.role in {Role.CONSULTANT, Role.MANAGER}


def can_request_feature(membership: Membership) -> bool:
    """Ask a case's author whether it may be featured (they answer yes or no)."""
    return can_feature(membership)


def can_answer_feature_request(membership: Membership, case: object) -> bool:
    """Only the author says whether their case goes on show."""
    return can_edit_case(membership, case)


def can_post_pick(membership: Membership) -> bool:
    """Company-page content for sellers to amplify comes from marketing."""
    return membership.role == Role.MARKETING


def can_see_uptake(membership: Membership) -> bool:
    """Which picks sellers took up, and which cases mention company content."""
    return membership.role in {Role.MARKETING, Role.CONSULTANT, Role.SPONSOR, Role.ADMIN}


def can_take_up_pick(membership: Membership, has_participant: bool) -> bool:
    """Sellers (and managers) in the programme say they shared or commented."""
    return membership.role in AUTHOR_ROLES and has_participant


def can_translate_pick(membership: Membership) -> bool:
    """A pick's words in other languages come from marketing too (#20)."""
    return can_post_pick(membership)
