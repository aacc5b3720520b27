"""SCIM writes. Each takes the organisation the token named, validates the whole request, then
writes in one transaction: a refused request (a ScimError) changes nothing. Writes to
programme's tables go through programme's services; the audit log records what changed about
people and teams (actor "SCIM") and, from the admin page, the tokens created and revoked."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from identity import policies
from identity.models import ScimGroup, ScimToken, ScimUser
from identity.scim import selectors
from identity.scim.errors import ScimError, invalid_value
from identity.scim.parsing import GroupState, UserState
from programme import services as programme
from programme.models import AuditAction, Membership, Organisation, Role
from programme.services.provisioning import UNCHANGED

TOKEN_PREFIX = "scim_"  # noqa: S105 (a prefix that makes a leaked token recognisable)
# last_used_at is written at most once a minute per token, not on every request of a sync.
LAST_USED_EVERY = timedelta(minutes=1)


# --- Tokens -------------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scim_token_create(*, by: Membership, name: str) -> tuple[ScimToken, str]:
    """A new token for the organisation of `by` (an admin) and its secret, shown once: only its
    hash is stored."""
    if not policies.can_manage_scim(by):
        raise PermissionDenied("Admins manage SCIM tokens.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ScimToken.objects.create(
            organisation_id=by.organisation_id, name=name, prefix=raw[:10],
            token_hash=token_hash(raw), created_by=by,
        )  # fmt: skip
        programme.audit_record(
            organisation=by.organisation_id, action=AuditAction.SCIM_TOKEN_CREATED, actor=by,
            details={"name": name, "prefix": token.prefix},
        )  # fmt: skip
    return token, raw


def scim_token_revoke(*, token: ScimToken, by: Membership) -> bool:
    """Revoke `token` (it stops working at once). False when it was already revoked."""
    if by.organisation_id != token.organisation_id or not policies.can_manage_scim(by):
        raise PermissionDenied("Admins manage SCIM tokens.")
    with transaction.atomic():
        changed = ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
        if changed:
            programme.audit_record(
                organisation=by.organisation_id, action=AuditAction.SCIM_TOKEN_REVOKED,
                actor=by, details={"name": token.name, "prefix": token.prefix},
            )  # fmt: skip
    return bool(changed)


def scim_token_authenticate(raw: str) -> ScimToken | None:
    """The active token whose secret is `raw`, or None; notes when it was last used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = selectors.active_token(token_hash(raw))
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- Users --------------------------------------------------------------------------------------


def user_state(link: ScimUser) -> UserState:
    membership = link.membership
    return UserState(
        email=membership.user.email, first_name=membership.user.first_name,
        last_name=membership.user.last_name, display_name=link.display_name,
        external_id=link.external_id, active=membership.deactivated_at is None,
    )  # fmt: skip


def _names(state: UserState) -> tuple[str, str]:
    """Given and family names; from displayName ("Ada Lovelace") when the provider sends none."""
    if state.first_name or state.last_name or not state.display_name:
        return state.first_name, state.last_name
    first, _, last = state.display_name.partition(" ")
    return first[:150], last[:150]


def _check_external_id(organisation: Organisation, external_id: str, link: ScimUser | None):
    if external_id:
        other = selectors.user_with_external_id(organisation, external_id)
        if other is not None and (link is None or other.pk != link.pk):
            raise ScimError(409, "Another user has this externalId.", "uniqueness")


def scim_user_create(*, organisation: Organisation, state: UserState) -> ScimUser:
    """Provision a person: a seller membership with a participant profile in this organisation
    alone, or the person already there (from the roster, matched by e-mail), claimed. 409 when
    SCIM already manages that address here."""
    if selectors.user_linked_to_email(organisation, state.email) is not None:
        raise ScimError(409, "A user with this userName already exists.", "uniqueness")
    _check_external_id(organisation, state.external_id, None)
    first_name, last_name = _names(state)
    adopted = selectors.member_with_email(organisation, state.email) is not None
    with transaction.atomic():
        membership = programme.membership_create(
            organisation=organisation, email=state.email, role=Role.SELLER,
            first_name=first_name, last_name=last_name,
        )  # fmt: skip
        link = ScimUser.objects.create(
            organisation=organisation, membership=membership, external_id=state.external_id,
            display_name=state.display_name,
        )  # fmt: skip
        link.membership = membership
        programme.audit_record(
            organisation=organisation, action=AuditAction.PERSON_PROVISIONED,
            actor_label=programme.SCIM_ACTOR, target=membership,
            details={"source": "scim", "existing_member": adopted},
        )  # fmt: skip
        # Names of a person already here: the provider's, unless they belong elsewhere too.
        _update_person(link, state, audit=False)
        _set_active(link.membership, state.active)
    return link


def _update_person(link: ScimUser, state: UserState, *, audit: bool = True) -> list[str]:
    membership = link.membership
    first_name, last_name = _names(state)
    shared = programme.person_is_shared(membership)
    email = state.email if state.email != membership.user.email else None
    if email is not None and shared:
        raise ScimError(
            400,
            "This person also belongs to another organisation in Snowball: their userName "
            "(e-mail address) cannot be changed by this organisation's provisioning.",
            "mutability",
        )
    if shared:
        return []  # their name is what the organisations they belong to share: left alone
    try:
        changed = programme.person_update(
            membership=membership, first_name=first_name, last_name=last_name, email=email
        )
    except programme.ProvisioningRefused as refused:
        if refused.reason == "taken":
            raise ScimError(409, "Another person has this userName.", "uniqueness") from None
        raise ScimError(400, "This change is not allowed.", "mutability") from None
    if changed and audit:
        programme.audit_record(
            organisation=membership.organisation_id, action=AuditAction.PERSON_UPDATED,
            actor_label=programme.SCIM_ACTOR, target=membership,
            details={"source": "scim", "fields": sorted(changed)},
        )  # fmt: skip
    return changed


def _set_active(membership: Membership, active: bool) -> bool:
    if active and membership.deactivated_at is not None:
        return programme.membership_reactivate(membership=membership, by=None, source="scim")
    if not active and membership.deactivated_at is None:
        return programme.membership_deactivate(membership=membership, by=None, source="scim")
    return False


def scim_user_update(*, link: ScimUser, state: UserState) -> ScimUser:
    """Replace (PUT) or patch (PATCH, already applied to `state`) a provisioned user."""
    _check_external_id(link.organisation, state.external_id, link)
    with transaction.atomic():
        _update_person(link, state)
        changed = [
            field
            for field in ("external_id", "display_name")
            if getattr(link, field) != getattr(state, field)
        ]
        link.external_id, link.display_name = state.external_id, state.display_name
        link.save(update_fields=[*changed, "updated_at"])  # lastModified, even with no change
        _set_active(link.membership, state.active)
    link.membership.refresh_from_db()
    return link


def scim_user_delete(*, link: ScimUser) -> None:
    """DELETE deactivates: the person's history stays (aggregates, cases, concerns); SCIM stops
    seeing them, so a later POST with the same userName claims and reactivates them."""
    with transaction.atomic():
        _set_active(link.membership, False)
        ScimUser.objects.filter(pk=link.pk).delete()


def user_state_for_replace(link: ScimUser) -> UserState:
    """The base a PUT starts from: optional attributes empty, activity as it is."""
    return replace(UserState(), active=link.membership.deactivated_at is None)


# --- Groups -------------------------------------------------------------------------------------


def group_state(group: ScimGroup) -> GroupState:
    return GroupState(
        name=group.team.name, external_id=group.external_id,
        parent=None, members=selectors.group_member_ids(group),
    )  # fmt: skip


def _parent_team(organisation: Organisation, state: GroupState, *, renamed: bool) -> object:
    """The team to put the group's team under: the extension's parent (a group's id) when the
    request gives one, else, when the group is named or renamed, the naming rule ("Region /
    Team" goes under "Region", made if missing), else unchanged."""
    if state.parent:
        parent = selectors.team_by_code(organisation, state.parent)
        if parent is None:
            raise invalid_value("The parent is not a group of this organisation.")
        return parent
    if state.parent == "":
        return None
    head, separator, _tail = state.name.rpartition(" / ")
    if renamed and separator and head.strip():
        return programme.team_ensure(organisation=organisation, name=head.strip()[:120])
    return UNCHANGED


def _members(organisation: Organisation, ids: frozenset[str]) -> dict[str, ScimUser]:
    found = selectors.users_by_ids(organisation, set(ids))
    missing = sorted(set(ids) - set(found))
    if missing:
        raise invalid_value(f"No user with id '{missing[0]}' in this organisation.")
    return found


def _apply_group(
    group: ScimGroup, state: GroupState, before: GroupState, *, created: bool = False
) -> None:
    organisation = group.organisation
    _members(organisation, state.members)
    parent = _parent_team(organisation, state, renamed=state.name != before.name)
    try:
        changed = programme.team_update(
            team=group.team, name=state.name if state.name != before.name else None,
            parent=parent,
        )  # fmt: skip
    except programme.ProvisioningRefused as refused:
        if refused.reason == "taken":
            raise ScimError(409, "Another team has this displayName.", "uniqueness") from None
        raise invalid_value("The parent would make the team its own ancestor.") from None
    added = state.members - before.members
    removed = before.members - state.members
    if added:
        programme.participants_join_team(
            team=group.team, participant_ids=selectors.participant_ids(organisation, added)
        )
    if removed:
        programme.participants_leave_team(
            team=group.team, participant_ids=selectors.participant_ids(organisation, removed)
        )
    group.external_id = state.external_id
    group.save(update_fields=["external_id", "updated_at"])
    if created or changed or added or removed:
        programme.audit_record(
            organisation=organisation, action=AuditAction.TEAM_PROVISIONED,
            actor_label=programme.SCIM_ACTOR,
            details={"team": group.team.name, "created": created, "fields": sorted(changed),
                     "added": len(added), "removed": len(removed)},
        )  # fmt: skip


def _check_group_external_id(organisation: Organisation, external_id: str, group: ScimGroup | None):
    if external_id:
        other = selectors.group_with_external_id(organisation, external_id)
        if other is not None and (group is None or other.pk != group.pk):
            raise ScimError(409, "Another group has this externalId.", "uniqueness")


def scim_group_create(*, organisation: Organisation, state: GroupState) -> ScimGroup:
    """A group becomes a team: the team of that name when there is one (from the roster or the
    Teams page), claimed, else a new team. 409 when SCIM already manages a team of that name."""
    if selectors.group_linked_to_name(organisation, state.name) is not None:
        raise ScimError(409, "A group with this displayName already exists.", "uniqueness")
    _check_group_external_id(organisation, state.external_id, None)
    _members(organisation, state.members)
    with transaction.atomic():
        team = selectors.team_named(organisation, state.name) or programme.team_ensure(
            organisation=organisation, name=state.name
        )
        group = ScimGroup.objects.create(
            organisation=organisation, team=team, external_id=state.external_id
        )
        # Named "" before: the naming rule applies to a new group's name.
        before = GroupState(
            external_id=state.external_id, members=selectors.group_member_ids(group)
        )
        _apply_group(group, state, before, created=True)
    return group


def scim_group_update(*, group: ScimGroup, state: GroupState) -> ScimGroup:
    _check_group_external_id(group.organisation, state.external_id, group)
    with transaction.atomic():
        _apply_group(group, state, group_state(group))
    return group


def group_state_for_replace(group: ScimGroup) -> GroupState:
    """A PUT states members and names in full; the parent stays unless it says otherwise."""
    return GroupState(parent=None)


def scim_group_delete(*, group: ScimGroup) -> None:
    """DELETE stops SCIM managing the team; the team and the people in it stay as they are
    (the programme team can rearrange them on the Teams page)."""
    ScimGroup.objects.filter(pk=group.pk).delete()


def integrity_conflict() -> ScimError:
    return ScimError(409, "The request conflicts with another change made at the same time.",
                     "uniqueness")  # fmt: skip


__all__ = [
    "scim_group_create",
    "scim_group_delete",
    "scim_group_update",
    "scim_token_authenticate",
    "scim_token_create",
    "scim_token_revoke",
    "scim_user_create",
    "scim_user_delete",
    "scim_user_update",
]
