"""The kick-off room, live and cheap (issue #21): 'me too' in one statement, the join page's
list a page at a time, and polls answered 304 while nothing the person sees has changed."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from kickoff import live, services
from kickoff.models import Concern, ConcernVote, KickoffJoin
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff import test_kickoff as base


@pytest.fixture
def room(org):
    kickoff = base.kickoff.__wrapped__(org)
    session, consultant = kickoff["session"], kickoff["consultant"]
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    return {"session": session, "consultant": consultant}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run each write's after-commit work (the board's version bump) as a real commit would:
    the test's own transaction never commits."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def add_concern(session, worry, votes=0, **extra):
    return Concern.objects.create(
        organisation_id=session.organisation_id, session=session, worry=worry, votes=votes,
        **extra,
    )  # fmt: skip


def join_url(org, session):
    return reverse("kickoff-join", args=[org.slug, session.join_code])


def live_url(org, session, upto=""):
    """The join page's list: the join page's own address, asked by htmx."""
    url = reverse("kickoff-join", args=[org.slug, session.join_code])
    return f"{url}?upto={upto}" if upto != "" else url


def vote_url(org, session, concern):
    return reverse("kickoff-concern-vote", args=[org.slug, session.join_code, concern.pk])


def poll(client, url, etag=""):
    headers = {"HX-Request": "true"}
    if etag:
        headers["If-None-Match"] = etag
    return client.get(url, headers=headers)


# --- 'Me too' -----------------------------------------------------------------------------------


def test_me_too_counts_once_in_a_fixed_number_of_queries(org, room, login, count_queries):
    session = room["session"]
    concern = add_concern(session, "Selling time")
    voter = member(org, Role.SELLER)
    client = login(voter)
    client.get(join_url(org, session))  # the first visit also stores the organisation
    # user, membership (with participant), the concern with its session's join code and what
    # the vote checks, the vote itself (session FOR SHARE, vote row, count: one statement)
    assert count_queries(client.post, vote_url(org, session, concern)) == 4
    again = client.post(vote_url(org, session, concern), follow=True).content.decode()
    assert "it counts once" in again
    concern.refresh_from_db()
    assert concern.votes == 1 and ConcernVote.objects.filter(voter=voter).count() == 1


def test_me_too_on_a_merged_duplicate_counts_on_the_concern_kept(org, room, login):
    session, consultant = room["session"], room["consultant"]
    kept, duplicate = add_concern(session, "Kept"), add_concern(session, "Duplicate")
    services.concern_merge(duplicate=duplicate, into=kept, by=consultant)
    client = login(member(org, Role.SELLER))
    assert client.post(vote_url(org, session, duplicate)).status_code == 302
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert (kept.votes, duplicate.votes) == (1, 0)


def test_me_too_is_refused_closed_held_own_and_elsewhere(org, other_org, room, login):
    session, consultant = room["session"], room["consultant"]
    author = member(org, Role.SELLER)
    named = add_concern(session, "Mine, named", author=author)
    held = add_concern(session, "Held", moderation="held")
    page = login(author).post(vote_url(org, session, named), follow=True).content.decode()
    assert "is yours" in page
    voter = login(member(org, Role.SELLER))
    page = voter.post(vote_url(org, session, held), follow=True).content.decode()
    assert "not on the screen" in page
    # Another session's concern through this join code, or a concern of another organisation.
    other = services.kickoff_save(
        programme=session.programme, by=consultant,
        data={"title": "Other room", "held_on": session.held_on}, attendees=[],
    )  # fmt: skip
    elsewhere = add_concern(other, "Elsewhere")
    assert voter.post(vote_url(org, session, elsewhere)).status_code == 404
    outsider = member(other_org, Role.SELLER)
    assert login(outsider).post(vote_url(org, session, named)).status_code == 404
    # Closed: refused, nothing stored.
    plain = add_concern(session, "Plain")
    services.kickoff_close(session=session, by=consultant)
    page = voter.post(vote_url(org, session, plain), follow=True).content.decode()
    assert "not taking concerns" in page
    assert ConcernVote.objects.count() == 0
    assert Concern.objects.filter(votes__gt=0).count() == 0


# --- The join page's list: a page at a time, polled, 304 when unchanged ---------------------------


def test_the_join_page_shows_a_page_of_concerns_and_opens_more(org, room, login):
    session = room["session"]
    for i in range(30):
        add_concern(session, f"Worry number {i:02d}", votes=i)
    client = login(member(org, Role.SELLER))
    page = client.get(join_url(org, session)).content.decode()
    assert page.count('data-testid="concern"') == live.JOIN_PAGE
    assert "Worry number 29" in page and "Worry number 04" not in page  # most seconded first
    assert f"upto={2 * live.JOIN_PAGE}" in page  # the "show more" link
    more = client.get(join_url(org, session) + "?upto=50").content.decode()
    assert more.count('data-testid="concern"') == 30 and "Show more" not in more
    odd = client.get(join_url(org, session) + "?upto=lots").content.decode()
    assert odd.count('data-testid="concern"') == live.JOIN_PAGE
    fragment = poll(client, live_url(org, session, 50)).content.decode()
    assert fragment.count('data-testid="concern"') == 30 and "<html" not in fragment


def test_a_poll_is_answered_304_until_what_the_person_sees_changes(
    org, room, login, committed, count_queries
):
    session = room["session"]
    concern = add_concern(session, "Selling time")
    reader, other = member(org, Role.SELLER), member(org, Role.SELLER)
    client = login(reader)
    page = client.get(join_url(org, session)).content.decode()
    etag = html.unescape(re.search(r'data-etag="([^"]+)"', page).group(1))
    url = live_url(org, session, live.JOIN_PAGE)
    # The page's own ETag already holds: nothing changed since it was drawn.
    unchanged = poll(client, url, etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    # user, membership, session: not a concern read, nothing rendered
    assert count_queries(poll, client, url, etag) == 3
    # Someone else's 'me too' changes the room: the next poll renders, with a new ETag.
    committed(login(other).post, vote_url(org, session, concern))
    changed = poll(client, url, etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Me too · 1" in changed.content.decode()
    etag = changed["ETag"]
    assert poll(client, url, etag).status_code == 304
    # The timer writing anonymous concerns changes it too.
    client.post(join_url(org, session), {"worry": "Will my manager see it?"})
    committed(anonymous_flush)
    assert poll(client, url, etag).status_code == 200
    # So does moderation, a category, closing.
    etag = poll(client, url)["ETag"]
    committed(services.concern_categorise, concern=concern, by=room["consultant"], category="Time")
    assert poll(client, url, etag).status_code == 200
    etag = poll(client, url)["ETag"]
    committed(services.kickoff_close, session=session, by=room["consultant"])
    assert poll(client, url, etag).status_code == 200


def test_the_persons_own_vote_changes_only_their_own_etag_and_room_versions(
    org, room, login, committed
):
    session = room["session"]
    concern = add_concern(session, "Selling time")
    voter, watcher = member(org, Role.SELLER), member(org, Role.SELLER)
    url = live_url(org, session, live.JOIN_PAGE)
    voter_client, watcher_client = login(voter), login(watcher)
    voter_etag = poll(voter_client, url)["ETag"]
    watcher_etag = poll(watcher_client, url)["ETag"]
    assert voter_etag != watcher_etag  # each person's own list
    committed(voter_client.post, vote_url(org, session, concern))
    assert poll(voter_client, url, voter_etag).status_code == 200
    assert poll(watcher_client, url, watcher_etag).status_code == 200  # the count moved
    # Closing forgets how often each person voted, with the votes.
    own_key = live._own_key(session.pk)
    assert live._client().hget(own_key, str(voter.pk)) is not None
    committed(services.kickoff_close, session=session, by=room["consultant"])
    assert not live._client().exists(own_key)


def test_the_live_list_runs_the_same_queries_whatever_the_number_of_concerns(
    org, room, login, count_queries
):
    session = room["session"]
    client = login(member(org, Role.SELLER))
    client.get(join_url(org, session))
    add_concern(session, "One")
    few = count_queries(poll, client, live_url(org, session, 100))
    for i in range(80):
        add_concern(session, f"Worry {i}", votes=i % 7)
    assert count_queries(poll, client, live_url(org, session, 100)) == few


def test_joining_counts_once_and_moves_the_projectors_version(org, room, login, committed):
    session, consultant = room["session"], room["consultant"]
    screen = login(consultant)
    board = reverse("kickoff-projector", args=[org.slug, session.code]) + "?sort=votes"
    etag = poll(screen, board)["ETag"]
    assert poll(screen, board, etag).status_code == 304
    seller = login(member(org, Role.SELLER))
    committed(seller.get, join_url(org, session))
    committed(seller.get, join_url(org, session))
    assert KickoffJoin.objects.filter(session=session).count() == 1
    changed = poll(screen, board, etag)
    assert changed.status_code == 200 and 'data-testid="joined">1<' in changed.content.decode()
    etag = changed["ETag"]
    committed(seller.get, join_url(org, session))  # already in the room: nothing moves
    assert poll(screen, board, etag).status_code == 304


def test_the_projector_poll_is_304_per_state_and_never_for_another_order(org, room, login):
    session = room["session"]
    add_concern(session, "Selling time", votes=3)
    screen = login(room["consultant"])
    base_url = reverse("kickoff-projector", args=[org.slug, session.code])
    etag = poll(screen, base_url + "?sort=votes")["ETag"]
    assert poll(screen, base_url + "?sort=votes", etag).status_code == 304
    assert poll(screen, base_url + "?sort=newest", etag).status_code == 200
    # Without htmx (a reload) the whole page always comes back.
    assert screen.get(base_url + "?sort=votes", headers={"If-None-Match": etag}).status_code == 200
    notes = reverse("kickoff-presenter-notes", args=[org.slug, session.code]) + "?sort=votes"
    notes_etag = poll(screen, notes)["ETag"]
    assert notes_etag != etag and poll(screen, notes, notes_etag).status_code == 304
