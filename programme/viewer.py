"""`Viewer`: who is looking at a tenant page, built once per request by `tenant_view`."""

from __future__ import annotations

from functools import cached_property

from programme.models import Membership, Organisation, Participant
from programme.selectors.core import current_wave_id, own_participant, team_subtree_ids


class Viewer:
    """Who is looking at a tenant page, with what views and selectors keep asking about them,
    each looked up at most once per request: the membership (role, organisation), the
    member's own participant record, their team and the teams below it, and their wave."""

    def __init__(self, membership: Membership) -> None:
        self.membership = membership
        self.organisation: Organisation = membership.organisation
        self.role: str = membership.role
        self.user = membership.user

    def __repr__(self) -> str:
        return f"<Viewer {self.user} in {self.organisation.slug} as {self.role}>"

    @property
    def org(self) -> str:
        """The organisation's slug, as URLs take it."""
        return self.organisation.slug

    @property
    def organisation_id(self) -> int:
        return self.membership.organisation_id

    @cached_property
    def participant(self) -> Participant | None:
        """The member's own participant record (sponsors and consultants often have none)."""
        if Membership.participant.is_cached(self.membership):  # loaded by tenant_view
            try:
                participant = self.membership.participant
            except Participant.DoesNotExist:
                return None
            return participant if participant.organisation_id == self.organisation_id else None
        return own_participant(self.membership)

    @property
    def team_id(self) -> int | None:
        return self.participant.team_id if self.participant is not None else None

    @cached_property
    def team_ids(self) -> frozenset[int]:
        """The viewer's own team and every team below it; empty without a team."""
        if self.team_id is None:
            return frozenset()
        return frozenset(team_subtree_ids(self.organisation, self.team_id))

    @cached_property
    def wave_ids(self) -> frozenset[int]:
        """Every wave the viewer is in, one per programme: a case shared with an earlier
        programme's wave stays readable by its members after they join a later programme."""
        if self.participant is None:
            return frozenset()
        return frozenset(self.participant.wave_memberships.values_list("wave_id", flat=True))

    @cached_property
    def wave_id(self) -> int | None:
        """The wave of the viewer's newest programme (one wave per programme per person)."""
        return current_wave_id(self.participant) if self.participant is not None else None
