"""What a SCIM token may read: its own organisation's provisioned users and groups, and the admin
page's tokens. Every query starts from the organisation, so another organisation's id answers
the same 404 as an id that never existed."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from identity.models import ScimGroup, ScimToken, ScimUser
from identity.scim.errors import ScimError, not_found
from identity.scim.parsing import UUID_RE, filter_query
from programme.models import Membership, Organisation, Participant, Team
from programme.viewer import Viewer

# SCIM attribute (name, sub-attribute, schema URI), lower-cased -> the field it filters on.
USER_FILTERS: dict[tuple[str, str | None, str | None], str] = {
    ("id", None, None): "membership__code",
    ("username", None, None): "membership__user__email",
    ("externalid", None, None): "external_id",
    ("displayname", None, None): "display_name",
    ("name", "givenname", None): "membership__user__first_name",
    ("name", "familyname", None): "membership__user__last_name",
    ("emails", "value", None): "membership__user__email",
    ("emails", None, None): "membership__user__email",
    ("meta", "created", None): "created_at",
    ("meta", "lastmodified", None): "updated_at",
}
GROUP_FILTERS: dict[tuple[str, str | None, str | None], str] = {
    ("id", None, None): "team__code",
    ("displayname", None, None): "team__name",
    ("externalid", None, None): "external_id",
    ("members", "value", None): "team__participants__membership__code",
    ("members", None, None): "team__participants__membership__code",
    ("meta", "created", None): "created_at",
    ("meta", "lastmodified", None): "updated_at",
}


def _by_id(queryset: QuerySet, field: str, scim_id: str, kind: str):
    # Not a UUID: names nothing (and never reaches the database as a malformed uuid).
    if not UUID_RE.match(scim_id):
        raise not_found(kind, scim_id)
    found = queryset.filter(**{field: scim_id}).first()
    if found is None:
        raise not_found(kind, scim_id)
    return found


# --- Users --------------------------------------------------------------------------------------


def users_of(organisation: Organisation) -> QuerySet[ScimUser]:
    """The organisation's provisioned users with all a User resource shows, in one query."""
    return ScimUser.objects.filter(organisation=organisation).select_related(
        "membership__user", "membership__participant__team__scim"
    )


def _filtered(queryset: QuerySet, expression: str, attributes: dict) -> QuerySet:
    if not expression:
        return queryset
    try:
        # Lookups through to-many relations can repeat rows: distinct keeps the count exact.
        return queryset.filter(filter_query(expression, attributes)).distinct()
    except (ValidationError, ValueError, TypeError):
        # A value the field cannot hold (`meta.created gt "soon"`, `id gt "x"`, `x gt null`).
        raise ScimError(400, "A value in the filter does not fit its attribute.",
                        "invalidFilter") from None  # fmt: skip


def users_matching(organisation: Organisation, expression: str) -> QuerySet[ScimUser]:
    return _filtered(users_of(organisation), expression, USER_FILTERS).order_by("created_at", "id")


def user_of(organisation: Organisation, scim_id: str) -> ScimUser:
    return _by_id(users_of(organisation), "membership__code", scim_id, "user")


def users_by_ids(organisation: Organisation, ids: set[str]) -> dict[str, ScimUser]:
    """Provisioned users of the organisation among `ids` (lower-case UUID strings), by id."""
    found = ScimUser.objects.filter(organisation=organisation, membership__code__in=ids)
    return {str(link.membership.code): link for link in found.select_related("membership")}


def participant_ids(organisation: Organisation, ids: Collection[str]) -> list[int]:
    """The participant profiles of the organisation's provisioned users among `ids`."""
    return list(
        Participant.objects.filter(
            organisation=organisation, membership__code__in=list(ids),
            membership__scim__isnull=False,
        ).values_list("pk", flat=True)
    )  # fmt: skip


def member_with_email(organisation: Organisation, email: str) -> Membership | None:
    """A member of the organisation (provisioned or not) with this address."""
    return Membership.objects.filter(organisation=organisation, user__email__iexact=email).first()


def user_linked_to_email(organisation: Organisation, email: str) -> ScimUser | None:
    return users_of(organisation).filter(membership__user__email__iexact=email).first()


def user_with_external_id(organisation: Organisation, external_id: str) -> ScimUser | None:
    return ScimUser.objects.filter(organisation=organisation, external_id=external_id).first()


# --- Groups -------------------------------------------------------------------------------------


def _members() -> Prefetch:
    # A group lists the members SCIM provisioned: people placed in the team on the roster or by
    # hand are the programme team's, not the provider's (see docs/scim.md).
    return Prefetch(
        "team__participants",
        queryset=Participant.objects.filter(membership__scim__isnull=False)
        .select_related("membership__user")
        .order_by("id"),
        to_attr="scim_members",
    )


def groups_of(organisation: Organisation, *, with_members: bool = True) -> QuerySet[ScimGroup]:
    groups = ScimGroup.objects.filter(organisation=organisation).select_related("team__parent")
    return groups.prefetch_related(_members()) if with_members else groups


def groups_matching(
    organisation: Organisation, expression: str, *, with_members: bool = True
) -> QuerySet[ScimGroup]:
    groups = groups_of(organisation, with_members=with_members)
    return _filtered(groups, expression, GROUP_FILTERS).order_by("created_at", "id")


def group_of(organisation: Organisation, scim_id: str, *, with_members: bool = True) -> ScimGroup:
    return _by_id(groups_of(organisation, with_members=with_members), "team__code", scim_id,
                  "group")  # fmt: skip


def group_linked_to_name(organisation: Organisation, name: str) -> ScimGroup | None:
    return ScimGroup.objects.filter(organisation=organisation, team__name__iexact=name).first()


def group_member_ids(group: ScimGroup) -> frozenset[str]:
    """The ids of the provisioned members of the group's team."""
    return frozenset(
        str(code)
        for code in Participant.objects.filter(
            team_id=group.team_id, membership__scim__isnull=False
        ).values_list("membership__code", flat=True)
    )


def group_with_external_id(organisation: Organisation, external_id: str) -> ScimGroup | None:
    return ScimGroup.objects.filter(organisation=organisation, external_id=external_id).first()


def team_named(organisation: Organisation, name: str) -> Team | None:
    return Team.objects.filter(organisation=organisation, name__iexact=name).first()


def team_by_code(organisation: Organisation, code: str) -> Team | None:
    return Team.objects.filter(organisation=organisation, code=code).first()


# --- Tokens (the admin page) --------------------------------------------------------------------


def tokens_for(viewer: Viewer) -> QuerySet[ScimToken]:
    return ScimToken.objects.filter(organisation=viewer.organisation).select_related(
        "created_by__user"
    )


def token_for(viewer: Viewer, code: str) -> ScimToken:
    """A token of the viewer's organisation by its code, or 404."""
    return get_object_or_404(tokens_for(viewer), code=code)


def active_token(token_hash: str) -> ScimToken | None:
    return (
        ScimToken.objects.select_related("organisation")
        .filter(Q(token_hash=token_hash), revoked_at__isnull=True)
        .first()
    )
