"""Reads of the goals app: success definitions, rituals, celebrations and OKRIs. Each takes the
request's `Viewer` (built once by `tenant_view`) and reaches only its organisation's rows; who
the viewer is (their participant record, team and the teams below it) is the viewer's to know."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from goals import progress as okr_progress
from goals.models import (
    Celebration,
    CheckIn,
    Consent,
    Initiative,
    KeyResult,
    Objective,
    Proposal,
    ProposalVote,
    Subject,
    VotingWindow,
)
from programme.viewer import Viewer


def proposals(viewer: Viewer, subject: str) -> list[Proposal]:
    """All proposals of a subject, open first by votes, with counts and this member's vote
    (one query). Who voted is never read."""
    mine = ProposalVote.objects.filter(proposal=OuterRef("pk"), membership=viewer.membership)
    return list(
        Proposal.objects.filter(organisation=viewer.organisation, subject=subject)
        .select_related("author__user")
        .annotate(vote_count=Count("votes"), i_voted=Exists(mine))
        .order_by("-status", "-vote_count", "-created_at")
    )


def proposal_get(viewer: Viewer, code: object) -> Proposal:
    return get_object_or_404(Proposal, organisation=viewer.organisation, code=code)


def open_window(organisation_id: int, subject: str) -> VotingWindow | None:
    """The subject's vote open now, if any."""
    now = timezone.now()
    return VotingWindow.objects.filter(
        organisation_id=organisation_id, subject=subject, opens_at__lte=now, closes_at__gt=now
    ).first()


def adopted_rituals(organisation_id: int) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        organisation_id=organisation_id, subject=Subject.RITUAL, status=Proposal.Status.ADOPTED
    ).order_by("statement")


def celebrations_feed(viewer: Viewer, limit: int = 50) -> list[Celebration]:
    """Celebrations their owners agreed to show: the programme's, and the viewer's team's."""
    shown = Q(consent=Consent.PUBLIC)
    if viewer.team_id is not None:
        shown |= Q(consent=Consent.TEAM, participant__team_id=viewer.team_id)
    return list(
        Celebration.objects.filter(organisation=viewer.organisation)
        .filter(shown)
        .select_related("participant__membership__user", "participant__team", "ritual")
        .order_by("-answered_at")[:limit]
    )


def my_celebrations(viewer: Viewer) -> list[Celebration]:
    return list(
        Celebration.objects.filter(
            organisation=viewer.organisation, participant__membership=viewer.membership
        )
        .select_related("ritual")
        .order_by("-detected_at")
    )


def my_celebration(viewer: Viewer, code: object) -> Celebration:
    """Only its owner reaches a celebration by its code; to anyone else it does not exist."""
    return get_object_or_404(
        Celebration.objects.select_related("participant__membership__user", "participant__team"),
        organisation=viewer.organisation, participant__membership=viewer.membership, code=code,
    )  # fmt: skip


# --- OKRIs ---


def objective_progress(key_results: list[KeyResult]) -> float | None:
    """The mean of the clamped progress of the key results that count (revenue awaiting a
    sponsor does not)."""
    counted = [kr.progress for kr in key_results if kr.counts]
    return sum(counted) / len(counted) if counted else None


def _track(objective: Objective) -> None:
    """Progress, the share of the period gone and on track / at risk / off track, for the
    objective and each of its (prefetched) key results, as of today in the organisation."""
    today = timezone.localdate()
    expected = okr_progress.time_gone(objective.starts_on, objective.ends_on, today)
    key_results = list(objective.key_results.all())
    for kr in key_results:
        # Revenue awaiting the sponsor counts for nothing yet: it says so instead of a status.
        kr.track = None if not kr.counts else okr_progress.key_result_track(
            direction=kr.direction, baseline=kr.baseline, target=kr.target,
            current=kr.current, expected=expected,
        )  # fmt: skip
    objective.progress = objective_progress(key_results)
    objective.time_gone = expected
    objective.track = okr_progress.objective_track(objective.progress, expected)


def objectives(viewer: Viewer, *, mine: bool = False) -> list[Objective]:
    """The organisation's live objectives with their key results and initiatives, and each
    objective's progress (three queries, however many there are)."""
    found = (
        Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
        .select_related("programme", "wave", "team", "owner__user")
        .prefetch_related(
            "key_results",
            Prefetch("initiatives", queryset=Initiative.objects.select_related("owner__user")),
        )
    )
    if mine:
        found = found.filter(owner=viewer.membership)
    result = list(found)
    for objective in result:
        _track(objective)
    return result


def objective_get(viewer: Viewer, code: object, *, history: bool = False) -> Objective:
    """One objective of the organisation (404 otherwise); with `history`, its key results'
    check-ins too."""
    check_ins = CheckIn.objects.select_related("by__user")
    objective = get_object_or_404(
        Objective.objects.select_related("programme", "wave", "team", "owner__user")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.prefetch_related(
                Prefetch("check_ins", queryset=check_ins if history else check_ins.none()))),
            Prefetch("initiatives", queryset=Initiative.objects.select_related("owner__user")),
        ),
        organisation=viewer.organisation, code=code,
    )  # fmt: skip
    _track(objective)
    return objective


def key_result_get(viewer: Viewer, code: object) -> KeyResult:
    return get_object_or_404(
        KeyResult.objects.select_related("objective__programme"),
        objective__organisation=viewer.organisation, code=code,
    )  # fmt: skip


def initiative_get(viewer: Viewer, code: object) -> Initiative:
    return get_object_or_404(
        Initiative.objects.select_related("objective"),
        objective__organisation=viewer.organisation, code=code,
    )  # fmt: skip


def revenue_awaiting(viewer: Viewer) -> list[KeyResult]:
    """Revenue key results of the first phase no sponsor has decided on yet."""
    return list(
        KeyResult.objects.filter(
            objective__organisation=viewer.organisation, objective__archived_at__isnull=True,
            needs_sponsor=True, confirmed_at__isnull=True,
        ).select_related("objective")
    )  # fmt: skip
