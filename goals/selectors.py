"""Reads of the goals app: success definitions, rituals, celebrations and OKRIs. Each takes the
request's `Viewer` (built once by `tenant_view`) and reaches only its organisation's rows; who
the viewer is (their participant record, team and the teams below it) is the viewer's to know."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from goals import alignment
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


# --- Alignment (issue #22): the objective tree, rolled-up progress, the filtered list ---

OKRI_PAGE_SIZE = 25


def _rolled_up(viewer: Viewer, live: list[Objective] | None = None) -> dict[int, alignment.Node]:
    """Every live objective's rolled-up progress (goals.alignment): two light queries (or one
    when the live objectives are already loaded), whatever the tree's size."""
    if live is None:
        parent_of = dict(
            Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
            .values_list("pk", "parent_id")
        )  # fmt: skip
    else:
        parent_of = {objective.pk: objective.parent_id for objective in live}
    own: dict[int, list[alignment.Item]] = defaultdict(list)
    contributed: dict[int, list[alignment.Item]] = defaultdict(list)
    key_results = KeyResult.objects.filter(
        objective__organisation=viewer.organisation, objective__archived_at__isnull=True
    ).only(
        "objective_id", "contributes_to_id", "weight", "direction", "baseline", "target",
        "current", "needs_sponsor", "confirmed_at",
    )  # fmt: skip
    for key_result in key_results:
        if not key_result.counts:
            continue
        item = alignment.Item(weight=key_result.weight, progress=key_result.progress)
        own[key_result.objective_id].append(item)
        if key_result.contributes_to_id is not None:
            contributed[key_result.contributes_to_id].append(item)
    return alignment.roll_up(parent_of, own, contributed)


def _apply_rolled_up(objective: Objective, node: alignment.Node | None) -> None:
    """The objective shows its rolled-up progress (own key results, contributions, children)."""
    if node is None:
        return
    objective.progress = node.progress
    objective.track = okr_progress.objective_track(node.progress, objective.time_gone)


def objective_rolled_up(viewer: Viewer, objective: Objective) -> Objective:
    """An objective from objective_get, with the progress its tree gives it."""
    _apply_rolled_up(objective, _rolled_up(viewer).get(objective.pk))
    return objective


@dataclass
class Branch:
    """One objective of the alignment tree and the branches below it."""

    objective: Objective
    depth: int
    children: list[Branch] = field(default_factory=list)


def alignment_tree(viewer: Viewer) -> list[Branch]:
    """The organisation's live objectives as a tree (each under its parent, broadest first),
    each with its rolled-up progress and status: three queries, whatever the size."""
    live = list(
        Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
        .select_related("programme", "wave", "team", "owner__user")
    )  # fmt: skip
    nodes = _rolled_up(viewer, live)
    today = timezone.localdate()
    by_pk = {objective.pk: objective for objective in live}
    sort_key = {
        o.pk: (o.programme.name, alignment.level(o.scope), o.ends_on, o.title) for o in live
    }
    branches: dict[int, Branch] = {}
    roots: list[Branch] = []
    for node in alignment.tree_order(nodes, sort_key):  # parents before their children
        objective = by_pk[node.pk]
        objective.time_gone = okr_progress.time_gone(objective.starts_on, objective.ends_on,
                                                     today)  # fmt: skip
        _apply_rolled_up(objective, node)
        branch = branches[node.pk] = Branch(objective=objective, depth=node.depth)
        parent = branches.get(node.parent) if node.parent is not None else None
        (parent.children if parent is not None else roots).append(branch)
    return roots


def parent_choices(viewer: Viewer) -> QuerySet[Objective]:
    """Live objectives another may sit under or contribute to (the services check the rest)."""
    return (
        Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
        .select_related("programme")
        .order_by("programme__name", "title")
    )


@dataclass
class OkriPage:
    objectives: list[Objective]
    number: int
    has_previous: bool
    has_next: bool


def objectives_page(
    viewer: Viewer, *, mine: bool = False, programme: object = None, wave: object = None,
    team: object = None, owner: object = None, page: int = 1,
) -> OkriPage:  # fmt: skip
    """One page of the live objectives, filtered, each with its key results, initiatives and
    rolled-up progress. Paged without COUNT (one row more than a page says there is a next):
    five queries, whatever the number of objectives."""
    found = (
        Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
        .select_related("programme", "wave", "team", "owner__user")
        .prefetch_related(
            "key_results",
            Prefetch("initiatives", queryset=Initiative.objects.select_related("owner__user")),
        )
        .order_by("ends_on", "title", "pk")
    )
    if mine:
        found = found.filter(owner=viewer.membership)
    for name, value in (("programme", programme), ("wave", wave), ("team", team),
                        ("owner", owner)):  # fmt: skip
        if value is not None:
            found = found.filter(**{name: value})
    page = max(page, 1)
    start = (page - 1) * OKRI_PAGE_SIZE
    rows = list(found[start : start + OKRI_PAGE_SIZE + 1])
    shown = rows[:OKRI_PAGE_SIZE]
    nodes = _rolled_up(viewer) if shown else {}
    for objective in shown:
        _track(objective)
        _apply_rolled_up(objective, nodes.get(objective.pk))
    return OkriPage(objectives=shown, number=page, has_previous=page > 1,
                    has_next=len(rows) > OKRI_PAGE_SIZE)  # fmt: skip


def objective_by_code(viewer: Viewer, raw: str) -> Objective | None:
    """A live objective of the organisation by its code as typed in a form; None when there is
    no such objective here (or the text is no code at all)."""
    try:
        code = uuid.UUID(raw)
    except ValueError:
        return None
    return (
        Objective.objects.filter(
            organisation=viewer.organisation, archived_at__isnull=True, code=code
        )
        .select_related("programme")
        .first()
    )
