"""Authenticity of the indicators: engagement pods and copy-paste posts (issue #23).

Engagement pods. A seller's reactions and comments (Comments.csv, Reactions.csv) carry the
link of the post they went to; a seller's own posts (Shares.csv) carry their own link. Both
are reduced to one post key, `<kind>:<number>`, from any of the forms LinkedIn writes:
`urn:li:activity:N`, `urn:li:share:N`, `urn:li:ugcPost:N` (also URL-encoded, in
/feed/update/ URLs, and inside a comment's URN, whose first id is the post), and
/posts/<slug>-activity-N-xxxx. What cannot be matched: the export names the same post by its
share or ugcPost id in Shares.csv and often by its activity id in a colleague's
Reactions.csv; those are different numbers and only LinkedIn's API links them, so such an
interaction counts as outside (the inside share is a lower bound). Links with no id at all
(a company page, an article's /pulse/ address) have no key.

An interaction whose key is a colleague's own post is "inside". Per person, over the last
WINDOW_WEEKS: given, inside, and inside received (colleagues' interactions on their posts).
Pairs and rings: groups of 2+ people where everyone gave at least RING_MIN interactions and at
least RING_SHARE of them to the others of the group, found by peeling (start from groups of
people who interact both ways, drop whoever falls short, repeat until stable).

Quality (interactions received per post) is not changed: the received counts come from the
analytics export, the quick log or the API as daily totals without the actor, so nothing says
which of them came from colleagues. What is known (colleagues' interactions on a person's
posts, from the colleagues' own exports) is shown beside it, as "inside received".

Copy-paste posts. Each own post's commentary gets the MinHash signature of
metrics.distinctiveness at import (the text itself is not kept; its first FIRST_WORDS words
are); posts whose signatures agree on at least COPY_SIMILAR of the min-hashes (the MinHash
estimate of the Jaccard similarity of their word 3-shingles) form a cluster; a cluster across
COPY_SELLERS or more sellers is scripted sharing, flagged to the consultant only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from metrics.distinctiveness import CANDIDATE_CTES, HASHES, ROWS_PER_BAND, SIGNATURE_CTES, WORDS_SQL
from metrics.models import ActivityEvent, EventKind, EventSource, InteractionCircle, PostSignature
from programme.models import Participant

WINDOW_WEEKS = 12
RING_SHARE = 0.6  # of a person's given interactions, to the rest of the group
RING_MIN = 5  # given interactions at least, to be counted in a ring
COPY_SIMILAR = 0.8
COPY_SELLERS = 3
FIRST_WORDS = 8
MIN_TEXT = 20  # characters: shorter commentary ("Congrats!") says too little to compare

# The post key of a link: lower(kind) || ':' || number, NULL when the link names no post.
POST_KEY_SQL = """(
    SELECT lower(m[1]) || ':' || m[2]
    FROM regexp_match({0}, '(activity|share|ugcpost)(?::|%%3a|-)([0-9]{{10,}})', 'i') AS m
)"""


def post_keys(links: Sequence[str]) -> list[str | None]:
    """The post key of each link, as the computation reads it (for the tests and the docs)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {POST_KEY_SQL.format('x.link')} FROM unnest(%s::text[]) "  # noqa: S608
            "WITH ORDINALITY AS x(link, n) ORDER BY n",
            [list(links)],
        )
        return [row[0] for row in cursor.fetchall()]


# --- At import: signatures of the own posts ----------------------------------------------------


def first_words(text: str) -> str:
    return " ".join(text.split()[:FIRST_WORDS])[:200]


def post_signatures_store(
    *, organisation_id: int, participant_id: int,
    posts: Sequence[tuple[str, datetime, str]], week_of: Callable[[datetime], date],
) -> int:  # fmt: skip
    """Sign each (external id, when, commentary) of one import's own posts, in one statement,
    and keep signature + first words (a post already signed keeps its row). Returns how many
    were signed."""
    posts = [p for p in posts if len(p[2].strip()) >= MIN_TEXT]
    if not posts:
        return 0
    words = WORDS_SQL.format("x.txt")
    sql = f"""
        WITH words AS (
            SELECT x.n AS pid, {words} AS w
            FROM unnest(%(texts)s::text[]) WITH ORDINALITY AS x(txt, n)
        ), {SIGNATURE_CTES}
        SELECT pid, array_agg(h ORDER BY k) FROM signature GROUP BY pid
    """  # noqa: S608 - fixed SQL, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, {"texts": [p[2] for p in posts], "hashes": HASHES})
        signatures = dict(cursor.fetchall())
    rows = [
        PostSignature(
            organisation_id=organisation_id,
            participant_id=participant_id,
            external_id=external_id[:200],
            week=week_of(when),
            first_words=first_words(text),
            signature=signatures[n],
        )
        for n, (external_id, when, text) in enumerate(posts, start=1)
        if n in signatures
    ]
    PostSignature.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- After each rollup: copies and circles -----------------------------------------------------


def copies_compare(*, organisation_id: int) -> int:
    """Recompute the copy clusters of one organisation's posts (set-based, one statement).
    Returns how many posts are copies of an earlier one (the first of each is not counted)."""
    table = PostSignature._meta.db_table
    sql = f"""
        WITH signature AS (
            SELECT s.id AS pid, u.k, u.h
            FROM {table} s, unnest(s.signature) WITH ORDINALITY AS u(h, k)
            WHERE s.organisation_id = %(org)s
        ), {CANDIDATE_CTES}, verified AS (
            -- The MinHash estimate of the Jaccard similarity: the share of equal min-hashes.
            SELECT c.pid, c.anchor, (
                SELECT COUNT(*) FROM unnest(a.signature, b.signature) AS z(x, y) WHERE x = y
            )::float / %(hashes)s AS similarity
            FROM anchors c
            JOIN {table} a ON a.id = c.pid
            JOIN {table} b ON b.id = c.anchor
        ), paired AS (
            SELECT DISTINCT ON (pid) pid, anchor, similarity
            FROM verified WHERE similarity >= %(similar)s
            ORDER BY pid, anchor
        ), scored AS (
            -- The first post of a cluster belongs to it too (copy_of itself): a cluster's
            -- sellers are then one COUNT(DISTINCT participant).
            SELECT pid, anchor, similarity FROM paired
            UNION ALL
            SELECT DISTINCT anchor, anchor, 1.0::float FROM paired
            WHERE anchor NOT IN (SELECT pid FROM paired)
        )
        UPDATE {table} t
        SET copy_of_id = s.anchor, similarity = s.similarity
        FROM {table} t2 LEFT JOIN scored s ON s.pid = t2.id
        WHERE t2.id = t.id AND t.organisation_id = %(org)s
          AND (t.copy_of_id IS DISTINCT FROM s.anchor
               OR t.similarity IS DISTINCT FROM s.similarity)
    """  # noqa: S608 - table names from the models, values bound
    params = {
        "org": organisation_id, "hashes": HASHES, "rows": ROWS_PER_BAND,
        "similar": COPY_SIMILAR,
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return (
        PostSignature.objects.filter(organisation_id=organisation_id, copy_of__isnull=False)
        .exclude(copy_of=F("pk"))
        .count()
    )


def _edges(organisation_id: int, since: datetime) -> list[tuple[int, int, int]]:
    """(giver, owner of the post, interactions) for every interaction given inside, after
    writing the per-person totals to InteractionCircle: three statements."""
    events = ActivityEvent._meta.db_table
    circles = InteractionCircle._meta.db_table
    participants = Participant._meta.db_table
    key = POST_KEY_SQL.format("e.url")
    keyed = f"""
        WITH keyed AS (
            SELECT e.participant_id AS pid, e.kind, {key} AS post
            FROM {events} e
            WHERE e.organisation_id = %(org)s AND e.source = %(source)s
              AND e.occurred_at >= %(since)s AND e.kind IN (%(comment)s, %(reaction)s)
        ), owned AS (
            -- Every own post ever imported (an interaction may go to an older post), one
            -- owner per post so an interaction is never counted twice.
            SELECT DISTINCT ON (post) post, owner FROM (
                SELECT {key} AS post, e.participant_id AS owner
                FROM {events} e
                WHERE e.organisation_id = %(org)s AND e.source = %(source)s
                  AND e.kind = %(post)s AND e.url <> ''
            ) own WHERE post IS NOT NULL ORDER BY post, owner
        ), matched AS (
            SELECT k.pid, k.post, o.owner
            FROM keyed k LEFT JOIN owned o ON o.post = k.post AND o.owner <> k.pid
        )"""  # noqa: S608 - table names from the models, values bound
    params = {
        "org": organisation_id, "source": EventSource.LINKEDIN_EXPORT, "since": since,
        "comment": EventKind.COMMENT_MADE, "reaction": EventKind.REACTION_MADE,
        "post": EventKind.POST_PUBLISHED,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{keyed}, given AS (
                SELECT pid, COUNT(*) AS given, COUNT(post) AS linked, COUNT(owner) AS inside
                FROM matched GROUP BY pid
            ), received AS (
                SELECT owner AS pid, COUNT(*) AS n FROM matched
                WHERE owner IS NOT NULL GROUP BY owner
            ), everyone AS (
                SELECT pid FROM given UNION SELECT pid FROM received
            )
            INSERT INTO {circles}
                (organisation_id, participant_id, team_id, given, given_linked, inside,
                 inside_received, ring, ring_share)
            SELECT %(org)s, p.id, p.team_id, COALESCE(g.given, 0), COALESCE(g.linked, 0),
                   COALESCE(g.inside, 0), COALESCE(r.n, 0), NULL, NULL
            FROM everyone x JOIN {participants} p ON p.id = x.pid
            LEFT JOIN given g ON g.pid = x.pid LEFT JOIN received r ON r.pid = x.pid
            ON CONFLICT (participant_id) DO UPDATE SET
                team_id = EXCLUDED.team_id, given = EXCLUDED.given,
                given_linked = EXCLUDED.given_linked, inside = EXCLUDED.inside,
                inside_received = EXCLUDED.inside_received, ring = NULL, ring_share = NULL
            RETURNING participant_id
            """,  # noqa: S608 - table names from the models, values bound
            params,
        )
        kept = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"DELETE FROM {circles} WHERE organisation_id = %s AND NOT participant_id = ANY(%s)",  # noqa: S608
            [organisation_id, kept],
        )
        cursor.execute(
            f"""{keyed} SELECT pid, owner, COUNT(*) FROM matched
                WHERE owner IS NOT NULL GROUP BY pid, owner""",  # noqa: S608
            params,
        )
        return cursor.fetchall()


def rings_find(edges: Sequence[tuple[int, int, int]], given: dict[int, int]) -> list[set[int]]:
    """Groups of 2+ people each of whom gave at least RING_MIN interactions, RING_SHARE of them
    to the others of the group. Pure: edges are (giver, receiver, count), `given` each
    person's total. Starts from the groups of people linked both ways and peels off whoever
    falls short until every remaining group holds."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for giver, receiver, count in edges:
        out[giver][receiver] = out[giver].get(receiver, 0) + count
    people = {p for p in out if given.get(p, 0) >= RING_MIN}
    found: list[set[int]] = []
    pending = _components(people, out)
    while pending:
        group = pending.pop()
        keep = {
            p for p in group
            if sum(n for q, n in out[p].items() if q in group) >= RING_SHARE * given[p]
        }  # fmt: skip
        if keep == group:
            if len(group) >= 2:
                found.append(group)
            continue
        pending.extend(_components(keep, out))
    return sorted(found, key=min)


def _components(people: set[int], out: dict[int, dict[int, int]]) -> list[set[int]]:
    """Connected groups of `people`, linked where two interacted with each other both ways."""
    seen: set[int] = set()
    groups = []
    for start in sorted(people):
        if start in seen:
            continue
        group, stack = set(), [start]
        while stack:
            p = stack.pop()
            if p in group:
                continue
            group.add(p)
            stack.extend(q for q in out[p] if q in people and p in out.get(q, {}))
        seen |= group
        if len(group) >= 2:
            groups.append(group)
    return groups


def circles_compute(*, organisation_id: int, now: datetime | None = None) -> int:
    """Recompute one organisation's interaction circles and rings. Returns how many people are
    in a pair or ring. Three statements and one update per ring: rings are few."""
    since = (now or timezone.now()) - timedelta(weeks=WINDOW_WEEKS)
    with transaction.atomic():
        edges = _edges(organisation_id, since)
        given = dict(
            InteractionCircle.objects.filter(organisation_id=organisation_id).values_list(
                "participant_id", "given"
            )
        )
        rings = rings_find(edges, given)
        out: dict[int, int] = defaultdict(int)
        for group in rings:
            for giver, receiver, count in edges:
                if giver in group and receiver in group:
                    out[giver] += count
        circles = list(
            InteractionCircle.objects.filter(
                organisation_id=organisation_id,
                participant_id__in=[p for group in rings for p in group],
            )
        )
        ring_of = {p: min(group) for group in rings for p in group}
        for circle in circles:
            circle.ring = ring_of[circle.participant_id]
            circle.ring_share = out[circle.participant_id] / circle.given
        InteractionCircle.objects.bulk_update(circles, ["ring", "ring_share"])
    return len(circles)


def authenticity_compute(*, organisation_id: int) -> None:
    """After a rollup: copy clusters and interaction circles (both idempotent)."""
    copies_compare(organisation_id=organisation_id)
    circles_compute(organisation_id=organisation_id)
