"""The kick-off room's live parts, cheap when nothing changed (issue #21).

Design: a version number per session in Redis, bumped after commit by every write that changes
what the room sees (a concern written, a vote, an opinion, moderation, merge, category, opening
and closing, someone joining), and a second one per person for what only they see (their own
votes and opinions). The polled fragments (the projector's and the join page's concern list)
carry an ETag made of those numbers and of the request's state; a poll whose ETag still holds
is answered 304 after one Redis round trip, without reading a concern or rendering a line.

Why this and not the alternatives the issue names:
- Server-sent events from one publisher would hold a connection (a gunicorn thread) per phone:
  300 phones would need 300 threads, or an async server beside the WSGI one. Polling with 304
  keeps the one sync server and plain htmx, and works through any proxy.
- A cached fragment invalidated by a write helps the projector but not the phones, whose list
  is their own (what they voted, their own concerns): the version is what both can share.
- A version computed from the rows (counts, sums) costs a query per poll and misses changes
  that keep the sums (a category, a merge); the Redis bump costs nothing to read.

A bump lost (Redis restarted) only makes the next poll render: a missing version reads as a
fresh random one, never as an old value a browser could still hold.

Writes stay one short statement: `vote_cast` is a single INSERT ... ON CONFLICT DO NOTHING with
the session row held FOR SHARE in the same statement (closing waits for it, as before), so a
'me too' is one round trip instead of seven (BEGIN, lock, savepoint, insert, release, update,
commit).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from functools import cache as memoise

import redis
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

from kickoff.models import Concern

# Board versions live as long as a kick-off could plausibly run; an expired one reads as new.
VERSION_KEPT_SECONDS = 2 * 86400


@memoise
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _board_key(session_id: int) -> str:
    return f"snowball:kickoff:board:{session_id}"


def _own_key(session_id: int) -> str:
    """One hash per session: each person's own version under their membership id. Deleted
    when the session closes, with the votes: it would say how often each person voted."""
    return f"snowball:kickoff:board:{session_id}:own"


def board_changed(session_id: int, membership_id: int | None = None) -> None:
    """What the room sees of this session changed (and, with `membership_id`, what that person
    sees of it): bumped once the write is committed, so no poll can see the new version with
    the old rows."""

    def bump() -> None:
        pipe = _client().pipeline(transaction=False)
        pipe.incr(_board_key(session_id))
        pipe.expire(_board_key(session_id), VERSION_KEPT_SECONDS)
        if membership_id is not None:
            pipe.hincrby(_own_key(session_id), str(membership_id), 1)
            pipe.expire(_own_key(session_id), VERSION_KEPT_SECONDS)
        pipe.execute()

    transaction.on_commit(bump)


def board_forget(session_id: int) -> None:
    """The session closed: forget each person's version (the board's own stays, bumped)."""
    transaction.on_commit(lambda: _client().delete(_own_key(session_id)))


def board_versions(session_id: int, membership_id: int) -> str:
    """The room's version and the person's, as one string (one Redis round trip). A version
    Redis does not hold (never bumped, expired, Redis emptied) is made up fresh and stored:
    it cannot equal one a browser kept from before."""
    pipe = _client().pipeline(transaction=False)
    pipe.get(_board_key(session_id))
    pipe.hget(_own_key(session_id), str(membership_id))
    board, own = pipe.execute()
    if board is None:
        # nx: two polls making one up at once agree on the stored one.
        key = _board_key(session_id)
        _client().set(key, secrets.randbelow(2**40), nx=True, ex=VERSION_KEPT_SECONDS)
        board = _client().get(key)
    return f"{int(board)}.{int(own or 0)}"


def etag_for(request: HttpRequest, session_id: int, membership_id: int, *parts: object) -> str:
    """The ETag of a live fragment: the versions, who asks, in which language and zone, from
    which browser state (the signed cookie that knows their anonymous concerns), and the
    fragment's own state (`parts`: which fragment, its order, how many it shows)."""
    from django.utils import timezone, translation

    own_cookie = request.COOKIES.get("kickoff_own_concerns_token", "")
    state = "|".join(
        str(part)
        for part in (
            board_versions(session_id, membership_id),
            membership_id,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            own_cookie,
            *parts,
        )
    )
    return '"' + hashlib.blake2b(state.encode(), digest_size=12).hexdigest() + '"'


def not_modified(request: HttpRequest, etag: str) -> bool:
    """The browser already holds this fragment (If-None-Match names the ETag)."""
    held = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in held.split(","))


# The polled fragments are the browser's own copy, revalidated by live.js (If-None-Match from
# the fragment's data-etag): the browser's HTTP cache must not answer for the server.
_NO_STORE = "private, no-store"


def not_modified_response(etag: str) -> HttpResponse:
    return with_etag(HttpResponseNotModified(), etag)


def with_etag(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = _NO_STORE
    # The join page's address serves the page and, to htmx, its list.
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- The join page's list, a page at a time ------------------------------------------------------

JOIN_PAGE = 15  # three phone screens; each line is ~1 ms of CPU to draw (four forms)
JOIN_MOST = 1_000  # a link edited by hand cannot ask for more than a room ever wrote


def shown_upto(request: HttpRequest) -> int:
    """How many concerns the join page shows: JOIN_PAGE, or as many pages as were opened
    (`upto` in the query string, read leniently: anything odd shows the first page)."""
    raw = request.GET.get("upto", "")
    if not raw.isdigit():
        return JOIN_PAGE
    pages = max(1, -(-int(raw) // JOIN_PAGE))
    return min(pages * JOIN_PAGE, JOIN_MOST)


# --- 'Me too' in one statement -------------------------------------------------------------------

VOTE_COUNTED, VOTE_AGAIN, SESSION_CLOSED = "counted", "again", "closed"

_VOTE_SQL = """
WITH open_session AS (
    SELECT id FROM kickoff_kickoffsession WHERE id = %(session)s AND status = 'open' FOR SHARE
), cast_vote AS (
    INSERT INTO kickoff_concernvote (id, concern_id, voter_id)
    SELECT %(id)s, %(concern)s, %(voter)s FROM open_session
    ON CONFLICT (concern_id, voter_id) DO NOTHING
    RETURNING concern_id
), counted AS (
    UPDATE kickoff_concern SET votes = votes + 1
    WHERE id IN (SELECT concern_id FROM cast_vote)
    RETURNING id
)
SELECT (SELECT count(*) FROM open_session), (SELECT count(*) FROM counted)
"""


def vote_cast(*, session_id: int, concern_id: uuid.UUID, voter_id: int) -> str:
    """Store one 'me too' of `voter_id` on `concern_id` (already checked votable: on the screen,
    not their own) if the session is open: SESSION_CLOSED, VOTE_AGAIN (they had, nothing
    changes) or VOTE_COUNTED. One statement, its own transaction: the session row FOR SHARE,
    the vote row, the count."""
    with connection.cursor() as cursor:
        cursor.execute(
            _VOTE_SQL,
            {"session": session_id, "id": uuid.uuid4(), "concern": concern_id, "voter": voter_id},
        )
        is_open, counted = cursor.fetchone()
    if not is_open:
        return SESSION_CLOSED
    return VOTE_COUNTED if counted else VOTE_AGAIN


_TARGET_BY_CODE_SQL = """
SELECT c.id, c.organisation_id, c.session_id, c.moderation, c.author_id,
       t.id, t.moderation, t.author_id, s.join_code
FROM kickoff_concern c
JOIN kickoff_kickoffsession s ON s.id = c.session_id
LEFT JOIN kickoff_concern t ON t.id = c.merged_into_id
WHERE c.id = %s AND c.organisation_id = %s
"""


def vote_concern(*, organisation_id: int, join_code: str, code: object) -> Concern | None:
    """The concern a 'me too' names, with what the vote needs of it and of the concern it was
    merged into (moderation, authors): one indexed read, where the ORM's select_related over
    four relations cost more CPU than the whole vote. None unless it is a concern of this
    organisation in the session of this join code (the view answers 404)."""
    with connection.cursor() as cursor:
        cursor.execute(_TARGET_BY_CODE_SQL, [str(code), organisation_id])
        row = cursor.fetchone()
    if row is None or row[8] != join_code.strip().upper():
        return None
    concern_id, org_id, session_id, moderation, author_id, into_id, into_moderation, into_author = (
        row[:8]
    )
    concern = Concern(
        id=concern_id, organisation_id=org_id, session_id=session_id, moderation=moderation,
        author_id=author_id,
    )  # fmt: skip
    if into_id is not None:
        concern.merged_into = Concern(
            id=into_id, organisation_id=org_id, session_id=session_id,
            moderation=into_moderation, author_id=into_author,
        )  # fmt: skip
    else:
        concern.merged_into = None
    return concern


_JOIN_SQL = """
INSERT INTO kickoff_kickoffjoin (session_id, membership_id) VALUES (%s, %s)
ON CONFLICT (session_id, membership_id) DO NOTHING
RETURNING 1
"""


def join_record(*, session_id: int, membership_id: int) -> bool:
    """Count a person in the room once; True the first time (the projector's count moves)."""
    with connection.cursor() as cursor:
        cursor.execute(_JOIN_SQL, [session_id, membership_id])
        return cursor.fetchone() is not None
