"""Reads for the showcase: what a member may see, the feed, search, one case."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.utils.safestring import mark_safe

from programme.models import Membership, Participant, WaveMember
from showcase import policies
from showcase.models import (
    CaseComment,
    CaseReaction,
    CaseStudy,
    MarketingPick,
    PickUptake,
    ReactionKind,
    UptakeAction,
)

FEED_PAGE = 20
_START, _STOP = "\x02", "\x03"  # highlight markers no story contains


def _viewer_places(membership: Membership) -> tuple[list[int], int | None]:
    """The waves and team a member sits in (one query each at most)."""
    participant = Participant.objects.filter(membership=membership).only("pk", "team_id").first()
    if participant is None:
        return [], None
    waves = list(
        WaveMember.objects.filter(participant=participant).values_list("wave_id", flat=True)
    )
    return waves, participant.team_id


def cases_visible_to(membership: Membership) -> QuerySet[CaseStudy]:
    """Cases of the member's organisation they may read: everyone's, their wave's, their
    team's, their own; hidden ones only for their author and the moderators."""
    waves, team_id = _viewer_places(membership)
    audience = (
        Q(visibility="organisation")
        | Q(visibility="wave", wave_id__in=waves)
        | Q(visibility="team", team_id=team_id)
        | Q(author__membership=membership)
    )
    cases = CaseStudy.objects.filter(organisation=membership.organisation).filter(audience)
    if not policies.sees_hidden(membership):
        cases = cases.filter(Q(hidden_at__isnull=True) | Q(author__membership=membership))
    return cases


def feed(membership: Membership, filters: dict) -> QuerySet[CaseStudy]:
    cases = cases_visible_to(membership).select_related("author__membership__user", "author__team")
    if filters.get("kind"):
        cases = cases.filter(kind=filters["kind"])
    if filters.get("tag"):
        cases = cases.filter(tags__contains=[filters["tag"].lower()])
    if filters.get("segment"):
        cases = cases.filter(segment__iexact=filters["segment"])
    if filters.get("team"):
        cases = cases.filter(team__code=filters["team"])
    if filters.get("wave"):
        cases = cases.filter(wave__code=filters["wave"])
    return cases.annotate(
        reaction_count=Count("reactions", distinct=True),
        comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True), distinct=True),
    ).order_by("-created_at", "-id")


def search(membership: Membership, words: str, limit: int = 20) -> list[CaseStudy]:
    """Full-text search over title, tags and story, best first, with highlighted snippets."""
    query = SearchQuery(words, config="english", search_type="websearch")
    found = list(
        cases_visible_to(membership)
        .filter(search=query)
        .select_related("author__membership__user")
        .annotate(
            rank=SearchRank(F("search"), query),
            snippet=SearchHeadline(
                "story", query, config="english", start_sel=_START, stop_sel=_STOP,
                max_words=30, min_words=12, max_fragments=2,
            ),
        )
        .order_by("-rank", "-created_at")[:limit]
    )  # fmt: skip
    for case in found:
        # The headline is the author's raw text with markers: escape it, then mark the words.
        case.snippet_html = mark_safe(
            escape(case.snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")
        )
    return found


def case_get(membership: Membership, code: str) -> CaseStudy:
    """One case this member may read, with what its page shows; 404 otherwise."""
    comments = CaseComment.objects.select_related("author__user").order_by("created_at", "id")
    if not policies.sees_hidden(membership):
        comments = comments.filter(Q(hidden_at__isnull=True) | Q(author=membership))
    return get_object_or_404(
        cases_visible_to(membership)
        .select_related("author__membership__user", "author__team", "hidden_by__user")
        .prefetch_related(Prefetch("comments", queryset=comments), "images"),
        code=code,
    )


def reaction_summary(case: CaseStudy, membership: Membership) -> list[tuple[str, str, int, bool]]:
    """(kind, label, count, mine) for each reaction kind: one query."""
    rows = (
        CaseReaction.objects.filter(case=case)
        .values("kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(membership=membership)))
    )
    found = {row["kind"]: row for row in rows}
    return [
        (kind.value, kind.label, found.get(kind.value, {}).get("n", 0),
         bool(found.get(kind.value, {}).get("mine")))
        for kind in ReactionKind
    ]  # fmt: skip


def featured(membership: Membership, limit: int = 3) -> list[CaseStudy]:
    """Featured cases this member may read, newest featured first (consent still given)."""
    return list(
        cases_visible_to(membership)
        .filter(featured_at__isnull=False, feature_consent=True, hidden_at__isnull=True)
        .select_related("author__membership__user")
        .order_by("-featured_at")[:limit]
    )


# --- Marketing picks -------------------------------------------------------------------------

PICKS_SHOWN = 30


def _with_uptake_counts(picks: QuerySet[MarketingPick]) -> QuerySet[MarketingPick]:
    return picks.annotate(
        shared=Count("uptakes", filter=Q(uptakes__action=UptakeAction.SHARED), distinct=True),
        commented=Count("uptakes", filter=Q(uptakes__action=UptakeAction.COMMENTED), distinct=True),
        people=Count("uptakes__membership", distinct=True),
        case_count=Count("cases", distinct=True),
    )


def picks_for(membership: Membership) -> list[MarketingPick]:
    """The newest live picks with their counts and what this member did (one query)."""
    mine = PickUptake.objects.filter(pick=OuterRef("pk"), membership=membership)
    picks = _with_uptake_counts(
        MarketingPick.objects.filter(organisation=membership.organisation, archived_at__isnull=True)
    ).annotate(
        i_shared=Exists(mine.filter(action=UptakeAction.SHARED)),
        i_commented=Exists(mine.filter(action=UptakeAction.COMMENTED)),
    )
    return list(picks[:PICKS_SHOWN])


def pick_get(membership: Membership, code: object) -> MarketingPick:
    return get_object_or_404(MarketingPick, organisation=membership.organisation, code=code)


def uptake_report(membership: Membership) -> dict:
    """For marketing: every pick with its uptake (by team too) and the cases, among those
    this member may read, that point at company content. A fixed number of queries."""
    picks = list(
        _with_uptake_counts(
            MarketingPick.objects.filter(organisation=membership.organisation)
        ).select_related("posted_by__user")
    )
    by_team: dict[int, list[tuple[str, int]]] = {}
    rows = (
        PickUptake.objects.filter(pick__organisation=membership.organisation)
        .values("pick_id", "membership__participant__team__name")
        .annotate(people=Count("membership", distinct=True))
        .order_by("pick_id", "-people", "membership__participant__team__name")
    )
    for row in rows:
        team = row["membership__participant__team__name"] or "No team"
        by_team.setdefault(row["pick_id"], []).append((team, row["people"]))
    for pick in picks:
        pick.by_team = by_team.get(pick.pk, [])
    cases = list(
        cases_visible_to(membership)
        .filter(picks__isnull=False, hidden_at__isnull=True)
        .select_related("author__membership__user")
        .prefetch_related(Prefetch("picks", queryset=MarketingPick.objects.only("pk", "note")))
        .distinct()
        .order_by("-created_at")[:100]
    )
    return {"picks": picks, "cases": cases}
