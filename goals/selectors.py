"""Reads of the goals app: success definitions, rituals, celebrations and OKRIs. Each takes the
request's `Viewer` (built once by `tenant_view`) and reaches only its organisation's rows; who
the viewer is (their participant record, team and the teams below it) is the viewer's to know."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

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
from goals.models.okris import ObjectiveClosure, Scope, closure_of
from programme.models import Programme
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
    closed = _period_state(objective, today)
    for kr in key_results:
        # Revenue awaiting the sponsor counts for nothing yet: it says so instead of a status.
        # A closed objective shows its grades instead.
        kr.track = None if not kr.counts or closed else okr_progress.key_result_track(
            direction=kr.direction, baseline=kr.baseline, target=kr.target,
            current=kr.current, expected=expected, **_confidence(kr, today),
        )  # fmt: skip
        kr.overdue_days = _overdue_days(kr, objective, today)
    objective.progress = objective_progress(key_results)
    objective.time_gone = expected
    objective.track = None if closed else okr_progress.objective_track(objective.progress,
                                                                       expected)  # fmt: skip


def objectives(viewer: Viewer, *, mine: bool = False) -> list[Objective]:
    """The organisation's live objectives with their key results and initiatives, and each
    objective's progress (three queries, however many there are)."""
    found = (
        Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
        .select_related("programme", "wave", "team", "owner__user", "closure")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.select_related("grade")),
            Prefetch("initiatives", queryset=Initiative.objects.select_related("owner__user")),
        )
    )
    if mine:
        found = found.filter(owner=viewer.membership)
    result = list(found)
    for objective in result:
        _track(objective)
    result.sort(key=lambda objective: objective.closed is not None)  # closed periods last
    return result


def objective_get(viewer: Viewer, code: object, *, history: bool = False) -> Objective:
    """One objective of the organisation (404 otherwise); with `history`, its key results'
    check-ins too."""
    check_ins = CheckIn.objects.select_related("by__user")
    objective = get_object_or_404(
        Objective.objects.select_related("programme", "wave", "team", "owner__user",
                                         "closure__copied_to", "closure__closed_by__user",
                                         "origin__objective")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.select_related("grade")
                     .prefetch_related(
                Prefetch("check_ins", queryset=check_ins if history else check_ins.none()))),
            Prefetch("initiatives", queryset=Initiative.objects.select_related("owner__user")),
        ),
        organisation=viewer.organisation, code=code,
    )  # fmt: skip
    _track(objective)
    return objective


def key_result_get(viewer: Viewer, code: object) -> KeyResult:
    return get_object_or_404(
        KeyResult.objects.select_related("objective__programme", "objective__closure"),
        objective__organisation=viewer.organisation, code=code,
    )  # fmt: skip


def initiative_get(viewer: Viewer, code: object) -> Initiative:
    return get_object_or_404(
        Initiative.objects.select_related("objective__closure"),
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
    each with its rolled-up progress and status: three queries, whatever the size. Closed
    objectives belong to their period's evaluation, not to the tree being worked on (their
    copies forward are in it)."""
    live = list(
        Objective.objects.filter(organisation=viewer.organisation, archived_at__isnull=True,
                                 closure__isnull=True)
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
        Objective.objects.filter(
            organisation=viewer.organisation, archived_at__isnull=True, closure__isnull=True
        )
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
        .select_related("programme", "wave", "team", "owner__user", "closure")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.select_related("grade")),
            Prefetch("initiatives", queryset=Initiative.objects.select_related("owner__user")),
        )
        # Closed periods last, as on the unpaged list; then by end date.
        .annotate(is_closed=Exists(ObjectiveClosure.objects.filter(objective=OuterRef("pk"))))
        .order_by("is_closed", "ends_on", "title", "pk")
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


# --- Status from confidence, overdue check-ins, closing and grading a period (issue #22) ---


def _period_state(objective: Objective, today: date) -> bool:
    """Mark where the objective stands in its period (`closed`, `ended`, `running`); returns
    whether it is closed."""
    objective.closed = closure_of(objective)
    objective.ended = today >= objective.ends_on
    objective.running = objective.starts_on <= today <= objective.ends_on
    objective.period = quarter_of(objective.ends_on)
    return objective.closed is not None


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _confidence(key_result: KeyResult, today: date) -> dict[str, int | None]:
    """The last check-in's confidence and its age in days, for goals.progress."""
    checked = key_result.checked_in_at
    age = (today - _local_day(checked)).days if checked is not None else None
    return {"confidence": key_result.confidence, "confidence_age": age}


def _overdue_days(key_result: KeyResult, objective: Objective, today: date) -> int | None:
    """Days without a check-in, when longer than the cadence: only a manual key result of an
    open objective whose period runs (an ended one waits to be closed, not checked in)."""
    if key_result.source != KeyResult.Source.MANUAL or objective.closed or not objective.running:
        return None
    last = _local_day(key_result.checked_in_at or key_result.created_at)
    return okr_progress.check_in_overdue(last=last, today=today)


def my_okr_attention(viewer: Viewer) -> dict[str, list]:
    """For the owner's home panel: their key results whose check-in is overdue, and their
    objectives whose period has ended and that wait to be closed and graded (two queries)."""
    today = timezone.localdate()
    owned = list(
        Objective.objects.filter(
            organisation=viewer.organisation, owner=viewer.membership, archived_at__isnull=True,
            closure__isnull=True, starts_on__lte=today,
        ).select_related("closure").prefetch_related(Prefetch(
            "key_results", queryset=KeyResult.objects.filter(source=KeyResult.Source.MANUAL),
        ))
    )  # fmt: skip
    overdue, to_close = [], []
    for objective in owned:
        _period_state(objective, today)
        if objective.ended:
            to_close.append(objective)
        for key_result in objective.key_results.all():
            key_result.overdue_days = _overdue_days(key_result, objective, today)
            if key_result.overdue_days is not None:
                overdue.append(key_result)
    overdue.sort(key=lambda kr: -kr.overdue_days)
    return {"overdue": overdue, "to_close": to_close}


def quarter_of(day: date) -> str:
    """The period an objective belongs to on the evaluation page: the quarter it ends in."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_label(period: str) -> str:
    """The period as people write it: "2026-Q3" is "Q3 2026"."""
    year, quarter = period.split("-")
    # Translators: a quarter of a year, e.g. "Q3 2026".
    return gettext("Q%(quarter)s %(year)s") % {"quarter": quarter[1:], "year": year}


def quarter_bounds(period: str) -> tuple[date, date] | None:
    """First and last day of "2026-Q3"; None for anything else."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", period or "")
    if match is None:
        return None
    year, quarter = int(match[1]), int(match[2])
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, last - timedelta(days=1)


def _mean(scores: list[Decimal]) -> Decimal | None:
    return sum(scores) / len(scores) if scores else None


def programme_get(viewer: Viewer, code: object) -> Programme:
    return get_object_or_404(Programme, organisation=viewer.organisation, code=code)


def evaluation(viewer: Viewer, programme: Programme, period: str | None) -> dict[str, object]:
    """A period's evaluation (read-only): the programme's objectives ending in that quarter,
    grouped by scope, with their grades, comments and lessons, each objective's mean grade and
    the period's (three queries, however many objectives). Without a period, the newest one
    with a closed objective (or the current quarter); an unknown period says so."""
    closed_ends = (
        Objective.objects.filter(organisation=viewer.organisation, programme=programme,
                                 closure__isnull=False)
        .annotate(year=ExtractYear("ends_on"), quarter=ExtractQuarter("ends_on"))
        .values_list("year", "quarter").distinct().order_by("-year", "-quarter")
    )  # fmt: skip
    periods = [f"{year}-Q{quarter}" for year, quarter in closed_ends]
    unknown = period is not None and quarter_bounds(period) is None
    if period is None or unknown:
        period = periods[0] if periods else quarter_of(timezone.localdate())
    first, last = quarter_bounds(period)
    if period not in periods:
        periods = sorted([*periods, period], reverse=True)
    found = list(
        Objective.objects.filter(
            Q(archived_at__isnull=True) | Q(closure__isnull=False),
            organisation=viewer.organisation, programme=programme, ends_on__range=(first, last),
        )
        .select_related("programme", "wave", "team", "owner__user", "closure__closed_by__user",
                        "closure__copied_to")
        .prefetch_related(Prefetch("key_results",
                                   queryset=KeyResult.objects.select_related("grade")))
        .order_by("scope", "wave__number", "team__name", "title")
    )  # fmt: skip
    groups: dict[str, list[Objective]] = {}
    every_score = []
    for objective in found:
        objective.closed = closure_of(objective)
        scores = [kr.grade.score for kr in objective.key_results.all()
                  if getattr(kr, "grade", None) is not None]  # fmt: skip
        objective.mean_grade = _mean(scores)
        every_score += scores
        groups.setdefault(objective.scope, []).append(objective)
    return {
        "programme": programme, "period": period, "period_label": period_label(period),
        "periods": [(value, period_label(value)) for value in periods], "unknown": unknown,
        "first": first, "last": last,
        "groups": [(Scope(scope).label, objectives) for scope, objectives in groups.items()],
        "objectives": found, "mean_grade": _mean(every_score),
        "closed_count": sum(1 for objective in found if objective.closed),
    }  # fmt: skip


def closed_periods_of(viewer: Viewer) -> list[tuple[Programme, str, str]]:
    """Every evaluation (programme, quarter, its label) the organisation's closed objectives
    lead to, newest first, whatever page of the list is shown (one query)."""
    closed = (
        Objective.objects.filter(organisation=viewer.organisation, closure__isnull=False)
        .select_related("programme")
        .only("programme", "ends_on", "programme__name", "programme__code")
        .order_by("-ends_on")
    )
    seen: dict[tuple[int, str], tuple[Programme, str, str]] = {}
    for objective in closed:
        period = quarter_of(objective.ends_on)
        seen.setdefault((objective.programme_id, period),
                        (objective.programme, period, period_label(period)))  # fmt: skip
    return sorted(seen.values(), key=lambda found: found[1], reverse=True)
