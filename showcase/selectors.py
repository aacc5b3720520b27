"""Reads for the showcase: what a viewer may see, the feed, search, one case, the picks.

Every read takes the request's `Viewer` (built once per request by `tenant_view`), so who the
viewer is (their participant, team, waves) is looked up once, not by each selector."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from programme.models import Team
from programme.viewer import Viewer
from showcase import policies, sharing
from showcase.languages import case_languages, search_parse
from showcase.languages import headline_config_sql as headline_config
from showcase.models import (
    CaseComment,
    CaseImage,
    CaseReaction,
    CaseStudy,
    MarketingPick,
    PickClick,
    PickPreview,
    PickShareLink,
    PickUptake,
    ReactionKind,
    UptakeAction,
)

FEED_PAGE = 20
_START, _STOP = "\x02", "\x03"  # highlight markers no story contains


def cases_visible_to(viewer: Viewer) -> QuerySet[CaseStudy]:
    """Cases of the viewer's organisation they may read: everyone's, their waves', their
    team's, their own; hidden ones only for their author and the moderators."""
    participant = viewer.participant
    # By ids known already, not through joins: these filters run on every search and feed.
    own = Q(author_id=participant.pk) if participant is not None else Q(pk__in=[])
    audience = (
        Q(visibility="organisation")
        | Q(visibility="wave", wave_id__in=viewer.wave_ids)
        | Q(visibility="team", team_id=viewer.team_id)
        | own
    )
    cases = CaseStudy.objects.filter(organisation=viewer.organisation).filter(audience)
    if not policies.sees_hidden(viewer.membership):
        cases = cases.filter(Q(hidden_at__isnull=True) | own)
    return cases


def feed(viewer: Viewer, filters: dict) -> QuerySet[CaseStudy]:
    # The cards show no story: its Markdown and HTML (the rows' bulk) are not read.
    cases = (
        cases_visible_to(viewer)
        .select_related("author__membership__user", "author__team")
        .defer("story", "story_html")
    )
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
    if filters.get("language"):
        cases = cases.filter(language=filters["language"])
    # Counted per row of the page by correlated subqueries: a join with GROUP BY would count
    # every visible case before the newest page could be picked (1 s at 100,000 cases).
    return cases.annotate(
        reaction_count=_count_of(CaseReaction.objects.all()),
        comment_count=_count_of(CaseComment.objects.filter(hidden_at__isnull=True)),
    ).order_by("-created_at", "-id")


@dataclass
class FeedPage:
    """One "Load more" page: its cases and whether more follow. Counting every visible case
    (a Paginator's first query) would cost more than the page itself at 100,000 cases."""

    cases: list[CaseStudy]
    number: int
    has_next: bool

    def __iter__(self) -> Iterator[CaseStudy]:
        return iter(self.cases)

    def next_page_number(self) -> int:
        return self.number + 1


def feed_page(cases: QuerySet[CaseStudy], number: object) -> FeedPage:
    """Page `number` (1 if missing or not a whole number from 1 to 10,000): one query."""
    try:
        number = min(max(int(number), 1), 10_000)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * FEED_PAGE
    rows = list(cases[start : start + FEED_PAGE + 1])
    return FeedPage(rows[:FEED_PAGE], number, len(rows) > FEED_PAGE)


def _count_of(rows: QuerySet) -> Coalesce:
    per_case = rows.filter(case=OuterRef("pk")).order_by().values("case")
    return Coalesce(Subquery(per_case.annotate(n=Count("*")).values("n")), 0)


# Ranking reads every candidate's tsvector: a word in most stories ("meeting") would rank
# tens of thousands of rows. The best matches are picked among the newest this many.
SEARCH_CANDIDATES = 100


def _case_total(organisation_id: int) -> int:
    key = f"showcase:case-total:{organisation_id}"
    total = cache.get(key)
    if total is None:
        total = CaseStudy.objects.filter(organisation_id=organisation_id).count()
        cache.set(key, total, 600)
    return total


def _walk_newest_first(matches: float, total: int) -> bool:
    """Finding the newest matches: walking the cases newest first tests total/matches cases
    per candidate (each test reads a tsvector, ~4x the cost of fetching a row); taking all of
    the GIN index's matches and sorting them costs one fetch per match. Measured on 100,000
    cases, they cross at matches ~ sqrt(4 x candidates x total)."""
    return matches * matches > 4 * SEARCH_CANDIDATES * total


_HEADLINE = f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
# Snippets come from the rendered and sanitised story, its tags taken out (block tags become a
# space, list items a dot, inline ones nothing), so no Markdown (`**`, `- `) reaches an
# excerpt. Only the rows shown are stripped: the cost does not grow with the matches.
_BLOCK_TAG = r"</?(p|li|ul|ol|h[1-6]|blockquote|pre|br|hr|table|thead|tbody|tr|td|th)(\s[^>]*)?/?>"
_PLAIN_STORY = (
    "regexp_replace(regexp_replace(regexp_replace(c.story_html, '</li>', ' · ', 'gi'), "
    f"'{_BLOCK_TAG}', ' ', 'gi'), '<[^>]*>', '', 'g')"
)


def _snippet_html(headline: str) -> str:
    """The headline's text (HTML entities of the rendered story decoded), escaped, then the
    matched words marked: nothing the author wrote can open a tag."""
    marked = []
    for i, piece in enumerate(headline.split(_START)):
        word, _, rest = piece.partition(_STOP) if i else ("", "", piece)
        if i:
            marked.append("<mark>" + escape(html.unescape(word)) + "</mark>")
        marked.append(escape(html.unescape(rest)))
    text = re.sub(r"\s+", " ", "".join(marked))
    return mark_safe(re.sub(r"^[\s·]+|[\s·]+$", "", text))


def search(viewer: Viewer, words: str, limit: int = 20) -> list[CaseStudy]:
    """Full-text search over title, tags and story, best first among the newest
    SEARCH_CANDIDATES matches, with highlighted snippets.

    The candidates come from `cases_visible_to` (one flat queryset, so visibility has one
    definition); ranking and headlines are hand-written around it: built from nested querysets
    they spent longer compiling in Python than running in PostgreSQL."""
    # Parsed in every language's configuration (showcase.languages): one GIN-indexed match.
    parsed = search_parse(words, case_languages(viewer.organisation_id))
    if not parsed.queries:
        return []  # only stop words: nothing to search for
    tsquery, tsquery_params = parsed.tsquery_sql()
    headline_query, headline_params = parsed.tsquery_sql(headline=True)
    # No ordering inside: PostgreSQL then flattens it and can walk the date index.
    # The index condition (any language's parse matches) picks the candidates; among them
    # the words must match in the case's own language (`own`, on the candidates only).
    matching = (
        cases_visible_to(viewer)
        .filter(parsed.index_filter())
        .order_by()
        .values("id", "created_at", "search", "language")
    )
    own, own_params = parsed.own_language_sql("newest")
    sql, params = matching.query.sql_with_params()
    table = CaseStudy._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
        # An expression the date index cannot serve makes PostgreSQL take the GIN index.
        walk = _walk_newest_first(estimate, _case_total(viewer.organisation_id))
        newest_first = "v.created_at" if walk else "v.created_at + interval '0'"
        cursor.execute(
            f"""WITH newest AS (
                    SELECT v.id, v.created_at, v.search, v.language FROM ({sql}) v
                    ORDER BY {newest_first} DESC LIMIT %s),
                best AS (
                    SELECT id, created_at, ts_rank(search, {tsquery}) AS rank
                    FROM newest WHERE {own}
                    ORDER BY rank DESC, created_at DESC LIMIT %s)
                SELECT best.id, best.rank, ts_headline({headline_config("c.language")},
                           {_PLAIN_STORY}, {headline_query}, %s)
                FROM best JOIN {table} c ON c.id = best.id
                ORDER BY best.rank DESC, best.created_at DESC""",  # noqa: S608
            [
                *params,
                SEARCH_CANDIDATES,
                *tsquery_params,
                *own_params,
                limit,
                *headline_params,
                _HEADLINE,
            ],
        )
        ranked = cursor.fetchall()
    cases = CaseStudy.objects.select_related("author__membership__user").in_bulk(
        [row[0] for row in ranked]
    )
    found = []
    for pk, rank, snippet in ranked:
        case = cases[pk]
        case.rank = rank
        case.snippet_html = _snippet_html(snippet)
        found.append(case)
    return found


def case_get(viewer: Viewer, code: str) -> CaseStudy:
    """One case this viewer may read, with what its page shows; 404 otherwise."""
    comments = CaseComment.objects.select_related("author__user").order_by("created_at", "id")
    if not policies.sees_hidden(viewer.membership):
        comments = comments.filter(Q(hidden_at__isnull=True) | Q(author=viewer.membership))
    return get_object_or_404(
        cases_visible_to(viewer)
        .select_related("author__membership__user", "author__team", "hidden_by__user")
        .prefetch_related(Prefetch("comments", queryset=comments), "images"),
        code=code,
    )


def comment_get(viewer: Viewer, code: str) -> CaseComment:
    """A comment on a case this viewer may read, with its case; 404 otherwise (a comment is
    reached only through its case, like the case page shows it)."""
    return get_object_or_404(
        CaseComment.objects.select_related("case").filter(case__in=cases_visible_to(viewer)),
        code=code,
    )


def image_get(viewer: Viewer, code: str) -> CaseImage:
    """An image of a case this viewer may read, with its case and author; 404 otherwise."""
    return get_object_or_404(
        CaseImage.objects.select_related("case__author").filter(case__in=cases_visible_to(viewer)),
        code=code,
    )


def reaction_summary(case: CaseStudy, viewer: Viewer) -> list[tuple[str, str, int, bool]]:
    """(kind, label, count, mine) for each reaction kind: one query."""
    rows = (
        CaseReaction.objects.filter(case=case)
        .values("kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(membership=viewer.membership)))
    )
    found = {row["kind"]: row for row in rows}
    return [
        (kind.value, kind.label, found.get(kind.value, {}).get("n", 0),
         bool(found.get(kind.value, {}).get("mine")))
        for kind in ReactionKind
    ]  # fmt: skip


def featured(viewer: Viewer, limit: int = 3) -> list[CaseStudy]:
    """Featured cases this viewer may read, newest featured first (consent still given)."""
    return list(
        cases_visible_to(viewer)
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
    )


def picks_for(viewer: Viewer, limit: int = PICKS_SHOWN) -> list[MarketingPick]:
    """The newest live picks with their counts and what this viewer did (one query)."""
    mine = PickUptake.objects.filter(pick=OuterRef("pk"), membership=viewer.membership)
    picks = _with_uptake_counts(
        MarketingPick.objects.filter(organisation=viewer.organisation, archived_at__isnull=True)
    ).annotate(
        i_shared=Exists(mine.filter(action=UptakeAction.SHARED)),
        i_commented=Exists(mine.filter(action=UptakeAction.COMMENTED)),
    )
    # Newest first, said here: Meta.ordering is dropped from a query that aggregates.
    return list(picks.select_related("preview").order_by("-created_at", "-id")[:limit])


def picks_posted(viewer: Viewer, limit: int = 5) -> list[MarketingPick]:
    """For marketing's home: the newest picks of the organisation and how they were taken
    up (one query)."""
    picks = MarketingPick.objects.filter(organisation=viewer.organisation)
    return list(_with_uptake_counts(picks).order_by("-created_at", "-id")[:limit])


def pick_get(viewer: Viewer, code: object) -> MarketingPick:
    return get_object_or_404(MarketingPick, organisation=viewer.organisation, code=code)


def uptake_report(viewer: Viewer) -> dict:
    """For marketing: every pick with its uptake (by team too) and the cases, among those
    this viewer may read, that point at company content. A fixed number of queries."""
    picks = list(
        _with_uptake_counts(MarketingPick.objects.filter(organisation=viewer.organisation))
        .annotate(case_count=Count("cases", distinct=True))
        .select_related("posted_by__user")
        .order_by("-created_at", "-id")
    )
    by_team: dict[int, list[tuple[str, int]]] = {}
    rows = (
        PickUptake.objects.filter(pick__organisation=viewer.organisation)
        .values("pick_id", "membership__participant__team__name")
        .annotate(people=Count("membership", distinct=True))
        .order_by("pick_id", "-people", "membership__participant__team__name")
    )
    for row in rows:
        team = row["membership__participant__team__name"] or gettext("No team")
        by_team.setdefault(row["pick_id"], []).append((team, row["people"]))
    clicks_by_team = _clicks_by_team(viewer)
    for pick in picks:
        pick.by_team = by_team.get(pick.pk, [])
        pick.clicks_by_team = clicks_by_team.get(pick.pk, [])
        pick.click_total = sum(clicks for _, clicks in pick.clicks_by_team)
    cases = list(
        cases_visible_to(viewer)
        .filter(picks__isnull=False, hidden_at__isnull=True)
        .select_related("author__membership__user")
        .prefetch_related(
            Prefetch("picks", queryset=MarketingPick.objects.only("pk", "title", "url", "url_key"))
        )
        .distinct()
        .order_by("-created_at")[:100]
    )
    return {"picks": picks, "cases": cases}


# --- Picks that are easy to share well: previews, share links, clicks ------------------------


def _clicks_by_team(viewer: Viewer) -> dict[int, list[tuple[str, int]]]:
    """Clicks through each pick's short link by team, most first (two queries)."""
    names = {
        sharing.team_key(code): name
        for code, name in Team.objects.filter(organisation=viewer.organisation).values_list(
            "code", "name"
        )
    }
    result: dict[int, list[tuple[str, int]]] = {}
    rows = (
        PickClick.objects.filter(pick__organisation=viewer.organisation)
        .order_by("pick_id", "-clicks", "team_key")
        .values_list("pick_id", "team_key", "clicks")
    )
    for pick_id, key, clicks in rows:
        team = names.get(key) or (gettext("No team") if not key else gettext("A former team"))
        result.setdefault(pick_id, []).append((team, clicks))
    return result


def pick_for_sharing(viewer: Viewer, code: object) -> MarketingPick:
    """A live pick of the viewer's organisation with its preview and share link (404 else)."""
    return get_object_or_404(
        MarketingPick.objects.select_related("preview", "share"),
        organisation=viewer.organisation, archived_at__isnull=True, code=code,
    )  # fmt: skip


def pick_preview_get(viewer: Viewer, code: object) -> PickPreview:
    """A pick's stored preview, for whoever may read the organisation's picks."""
    return get_object_or_404(
        PickPreview.objects.select_related("pick"), pick__organisation=viewer.organisation,
        pick__code=code,
    )  # fmt: skip


def share_link_by_code(code: str) -> PickShareLink:
    """The short link behind `/r/<code>/`: outside any organisation, found by its random code
    alone, with the pick it leads to (404 for an unknown code)."""
    return get_object_or_404(PickShareLink.objects.select_related("pick"), code=code)
