"""Reads for success definitions, rituals and celebrations."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from goals.models import Celebration, Consent, Proposal, ProposalVote, Subject
from programme.models import Membership, Participant


def proposals(membership: Membership, subject: str) -> list[Proposal]:
    """All proposals of a subject, open first by votes, with counts and this member's vote
    (one query). Who voted is never read."""
    mine = ProposalVote.objects.filter(proposal=OuterRef("pk"), membership=membership)
    return list(
        Proposal.objects.filter(organisation=membership.organisation, subject=subject)
        .select_related("author__user")
        .annotate(vote_count=Count("votes"), i_voted=Exists(mine))
        .order_by("-status", "-vote_count", "-created_at")
    )


def proposal_get(membership: Membership, code: object) -> Proposal:
    return get_object_or_404(Proposal, organisation=membership.organisation, code=code)


def adopted_rituals(organisation_id: int) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        organisation_id=organisation_id, subject=Subject.RITUAL, status=Proposal.Status.ADOPTED
    ).order_by("statement")


def celebrations_feed(membership: Membership, limit: int = 50) -> list[Celebration]:
    """Celebrations their owners agreed to show: the programme's, and the member's team's."""
    team_id = (
        Participant.objects.filter(membership=membership).values_list("team_id", flat=True).first()
    )
    shown = Q(consent=Consent.PUBLIC)
    if team_id is not None:
        shown |= Q(consent=Consent.TEAM, participant__team_id=team_id)
    return list(
        Celebration.objects.filter(organisation=membership.organisation)
        .filter(shown)
        .select_related("participant__membership__user", "participant__team", "ritual")
        .order_by("-answered_at")[:limit]
    )


def my_celebrations(membership: Membership) -> list[Celebration]:
    return list(
        Celebration.objects.filter(
            organisation=membership.organisation, participant__membership=membership
        )
        .select_related("ritual")
        .order_by("-detected_at")
    )


def my_celebration(membership: Membership, code: object) -> Celebration:
    """Only its owner reaches a celebration by its code; to anyone else it does not exist."""
    return get_object_or_404(
        Celebration.objects.select_related("participant__membership__user", "participant__team"),
        organisation=membership.organisation, participant__membership=membership, code=code,
    )  # fmt: skip
