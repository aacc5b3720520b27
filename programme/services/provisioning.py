"""Writes provisioning (SCIM, issue #18) needs on programme's tables: a person's name and
address as their identity provider knows them, team placement in bulk, a team renamed or moved
under another. The identity app calls these; it never writes programme's tables itself.

These run for the organisation (the provider's token named it, the caller checked it), so they
take no acting membership; each refuses a change that would reach past that organisation."""

from __future__ import annotations

from collections.abc import Collection

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from programme.models import Membership, Participant, Team, User

UNCHANGED = object()


class ProvisioningRefused(ValueError):
    """A change provisioning may not make; `reason` says which rule refused it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def person_is_shared(membership: Membership) -> bool:
    """True when the person also belongs to another organisation (a consultant, say): their
    name and address are then not one organisation's provider's to change."""
    return (
        Membership.objects.filter(user_id=membership.user_id)
        .exclude(organisation_id=membership.organisation_id)
        .exists()
    )


def person_update(
    *,
    membership: Membership,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
) -> list[str]:
    """Rename a person or change their sign-in address, as their organisation's provider says.
    Returns the fields changed. Refused (ProvisioningRefused) when the address belongs to
    someone else ("taken") or the person belongs to another organisation too ("shared"): a
    provider of one organisation never changes what another one sees."""
    user = membership.user
    wanted = {"first_name": first_name, "last_name": last_name}
    wanted = {field: value[:150] for field, value in wanted.items() if value is not None}
    if email is not None:
        wanted["email"] = email.strip().lower()
    changes = {field: value for field, value in wanted.items() if getattr(user, field) != value}
    if not changes:
        return []
    if person_is_shared(membership):
        raise ProvisioningRefused("shared")
    if (
        "email" in changes
        and User.objects.filter(email__iexact=changes["email"]).exclude(pk=user.pk).exists()
    ):
        raise ProvisioningRefused("taken")
    with transaction.atomic():
        old_email = user.email
        for field, value in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes))
        if "email" in changes:
            # allauth's address row follows, so the new address signs in and gets the e-mails.
            EmailAddress.objects.filter(user=user, email__iexact=old_email).update(
                email=changes["email"]
            )
    return list(changes)


def participants_join_team(*, team: Team, participant_ids: Collection[int]) -> int:
    """Put these participants of the team's organisation in `team` (a person is in one team:
    joining this one leaves the previous one). Returns how many moved."""
    return (
        Participant.objects.filter(organisation_id=team.organisation_id, pk__in=participant_ids)
        .exclude(team=team)
        .update(team=team, updated_at=timezone.now())
    )


def participants_leave_team(*, team: Team, participant_ids: Collection[int]) -> int:
    """Take these participants out of `team` (they are then in no team). Returns how many."""
    return Participant.objects.filter(
        organisation_id=team.organisation_id, team=team, pk__in=participant_ids
    ).update(team=None, updated_at=timezone.now())


def team_update(*, team: Team, name: str | None = None, parent: object = UNCHANGED) -> list[str]:
    """Rename a team or move it under another team of its organisation (`parent=None`: at the
    top). Refused when the name is another team's ("taken"), the parent is of another
    organisation ("foreign") or the move would make the team its own ancestor ("cycle")."""
    changes: dict[str, object] = {}
    if name is not None and name != team.name:
        clash = Team.objects.filter(organisation_id=team.organisation_id, name__iexact=name)
        if clash.exclude(pk=team.pk).exists():
            raise ProvisioningRefused("taken")
        changes["name"] = name
    if parent is not UNCHANGED and getattr(parent, "pk", None) != team.parent_id:
        if parent is not None:
            if parent.organisation_id != team.organisation_id:
                raise ProvisioningRefused("foreign")
            ancestor: Team | None = parent
            seen: set[int] = set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == team.pk:
                    raise ProvisioningRefused("cycle")
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
        changes["parent"] = parent
    if changes:
        for field, value in changes.items():
            setattr(team, field, value)
        team.save(update_fields=[*changes, "updated_at"])
    return list(changes)


__all__ = [
    "ProvisioningRefused",
    "participants_join_team",
    "participants_leave_team",
    "person_is_shared",
    "person_update",
    "team_update",
]
