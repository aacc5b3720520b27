"""Reads for the programme core. Every tenant query takes the organisation, or the `Viewer`
where what it returns depends on who is looking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from programme import policies
from programme.models import (
    Membership,
    Notification,
    Organisation,
    Participant,
    Role,
    RosterImport,
    Team,
)

if TYPE_CHECKING:  # the Viewer is built from these selectors: no import at run time
    from programme.viewer import Viewer


def memberships_of_user(user) -> QuerySet[Membership]:
    """The organisations a person may open (the chooser, the switcher): not those they left."""
    return (
        Membership.objects.active()
        .filter(user=user, organisation__archived_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def has_ended_memberships(user) -> bool:
    """Whether the person's access to some organisation was ended (#18): the "no organisation"
    page then says so instead of suggesting an invitation is on its way."""
    return Membership.objects.filter(
        user=user, organisation__archived_at__isnull=True, deactivated_at__isnull=False
    ).exists()


def teams_for(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation)


def team_subtree_ids(organisation: Organisation, root_id: int) -> set[int]:
    """The team and every team below it."""
    return team_subtrees_ids(organisation, [root_id])


def team_subtrees_ids(organisation: Organisation | int, root_ids: Iterable[int]) -> set[int]:
    """These teams and every team below them: one query, walked in memory (teams are few)."""
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in Team.objects.filter(organisation=organisation).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(team_id)
    found, stack = set(), list(root_ids)
    while stack:
        team_id = stack.pop()
        if team_id in found:
            continue  # a parent cycle entered by hand must not loop forever
        found.add(team_id)
        stack.extend(children.get(team_id, []))
    return found


def teams_with_counts(organisation: Organisation) -> list[Team]:
    return list(
        teams_for(organisation)
        .select_related("parent")
        # Leavers (#18) are not counted in a team's current size.
        .annotate(
            size=Count(
                "participants", filter=Q(participants__membership__deactivated_at__isnull=True)
            )
        )
        .order_by("name")
    )


def possible_owners(organisation: Organisation) -> QuerySet[Membership]:
    """Whom a follow-up, a problem or a concern may be given to, and who may attend a
    management meeting: the people who lead the change, by name."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation, role__in=policies.OWNER_ROLES)
        .select_related("user")
        .order_by("user__last_name")
    )


def participants_for(organisation: Organisation) -> QuerySet[Participant]:
    return Participant.objects.filter(organisation=organisation).select_related(
        "membership__user", "team"
    )


def participants_visible_to(viewer: Viewer) -> QuerySet[Participant]:
    """Whom this viewer may see in the people list (managers: their own team and below)."""
    membership = viewer.membership
    participants = participants_for(viewer.organisation)
    if policies.sees_all_people(membership):
        return participants
    if policies.sees_only_own_teams(membership) and viewer.team_ids:
        return participants.filter(Q(team_id__in=viewer.team_ids) | Q(membership=membership))
    return participants.filter(membership=membership)


def participant_get(organisation: Organisation, code: str) -> Participant:
    return get_object_or_404(participants_for(organisation), code=code)


def own_participant(membership: Membership) -> Participant | None:
    return participants_for(membership.organisation).filter(membership=membership).first()


def current_wave_id(participant: Participant) -> int | None:
    """The wave of the participant's newest programme (a person is in one wave per programme)."""
    return (
        participant.wave_memberships.order_by("-programme__start_date")
        .values_list("wave_id", flat=True)
        .first()
    )


PEOPLE_ACTIVE, PEOPLE_DEACTIVATED, PEOPLE_ALL = "active", "deactivated", "all"


def people_filtered(
    viewer: Viewer, *, team: Team | None, role: str, query: str, status: str = PEOPLE_ACTIVE
) -> QuerySet[Participant]:
    """The people list: by default those still in the organisation; `status` "deactivated"
    shows the leavers (#18), "all" both."""
    people = participants_visible_to(viewer)
    if status == PEOPLE_DEACTIVATED:
        people = people.filter(membership__deactivated_at__isnull=False)
    elif status != PEOPLE_ALL:
        people = people.filter(membership__deactivated_at__isnull=True)
    if team is not None:
        people = people.filter(team_id__in=team_subtree_ids(viewer.organisation, team.pk))
    if role:
        people = people.filter(membership__role=role)
    for word in query.split()[:5]:
        people = people.filter(
            Q(membership__user__first_name__icontains=word)
            | Q(membership__user__last_name__icontains=word)
            | Q(membership__user__email__icontains=word)
        )
    return people.order_by("membership__user__last_name", "membership__user__first_name", "pk")


def organisation_summary(organisation: Organisation) -> dict[str, int]:
    """Headline counts for the organisation home, in one query."""
    # Leavers (#18) are not counted as people of the organisation, only as leavers.
    return Membership.objects.filter(organisation=organisation).aggregate(
        people=Count("pk", filter=Q(deactivated_at__isnull=True)),
        deactivated=Count("pk", filter=Q(deactivated_at__isnull=False)),
        sellers=Count("pk", filter=Q(role=Role.SELLER, deactivated_at__isnull=True)),
        joined=Count("pk", filter=Q(joined_at__isnull=False, deactivated_at__isnull=True)),
        invited=Count(
            "pk",
            filter=Q(
                invitation_sent_at__isnull=False,
                joined_at__isnull=True,
                deactivated_at__isnull=True,
            ),
        ),
        not_invited=Count(
            "pk",
            filter=Q(
                invitation_sent_at__isnull=True, joined_at__isnull=True, deactivated_at__isnull=True
            ),
        ),
    )


def notifications_of(membership: Membership, limit: int) -> list[Notification]:
    """The member's latest notifications, newest first (the model's order)."""
    return list(Notification.objects.filter(recipient=membership)[:limit])


def unread_notification_count(membership: Membership) -> int:
    return Notification.objects.filter(recipient=membership, read_at__isnull=True).count()


def roster_imports_for(organisation: Organisation) -> QuerySet[RosterImport]:
    return RosterImport.objects.filter(organisation=organisation).defer("rows")


def roster_missing_members(roster_import: RosterImport) -> QuerySet[Membership]:
    """Who "deactivate people not in this file" would end (#18): active members of the roles
    the roster manages whose e-mail is not in the file, never the person who uploaded it, by
    name. Reads the stored rows, so it is only meaningful while the import awaits
    confirmation."""
    emails = [row["email"] for row in roster_import.rows]
    return (
        Membership.objects.active()
        .filter(
            organisation_id=roster_import.organisation_id, role__in=policies.ROSTER_LEAVER_ROLES
        )
        .exclude(user__email__in=emails)
        .exclude(user_id=roster_import.uploaded_by_id)
        .select_related("user", "participant__team")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def roster_import_get(organisation: Organisation, code: str) -> RosterImport:
    return get_object_or_404(roster_imports_for(organisation), code=code)


__all__ = [
    "PEOPLE_ACTIVE",
    "PEOPLE_ALL",
    "PEOPLE_DEACTIVATED",
    "current_wave_id",
    "has_ended_memberships",
    "memberships_of_user",
    "notifications_of",
    "organisation_summary",
    "own_participant",
    "participant_get",
    "participants_for",
    "participants_visible_to",
    "people_filtered",
    "possible_owners",
    "roster_import_get",
    "roster_imports_for",
    "roster_missing_members",
    "team_subtree_ids",
    "team_subtrees_ids",
    "teams_for",
    "teams_with_counts",
    "unread_notification_count",
]
