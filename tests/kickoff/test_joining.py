"""Joining a kick-off as a seller finds it: the open session on their home page and on /join/;
the projector says where to go (address, QR code, code) on a screen of its own; nobody says
"me too" to their own concern, and nothing on the server learns which concern was theirs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kickoff import services
from kickoff.models import Concern, ConcernVote
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff import test_kickoff as base
from tests.kickoff.test_kickoff import join_url, open_session


@pytest.fixture
def kickoff(org):
    return base.kickoff.__wrapped__(org)


def _home(client, org):
    return client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()


def _vote(client, org, session, concern):
    url = reverse("kickoff-concern-vote", args=[org.slug, session.join_code, concern.pk])
    return client.post(url, follow=True)


def test_a_seller_home_leads_to_an_open_kickoff(org, kickoff, login):
    seller = login(member(org, Role.SELLER))
    assert join_url(org, kickoff["session"]) not in _home(seller, org)  # planned: not yet
    open_session(org, kickoff, login)
    home = _home(seller, org)
    assert "A kick-off is open: join it" in home
    assert f'href="{join_url(org, kickoff["session"])}"' in home
    assert reverse("kickoff-join-by-code") in home
    assert "A kick-off is open" not in _home(login(kickoff["consultant"]), org)  # runs it
    assert "A kick-off is open" not in _home(login(member(org, Role.SPONSOR)), org)


def test_join_page_lists_the_open_sessions_and_explains_the_code(org, kickoff, login):
    seller = login(member(org, Role.SELLER))
    page = seller.get(reverse("kickoff-join-by-code")).content.decode()
    assert "No kick-off of yours is open right now" in page and "shown on the screen" in page
    open_session(org, kickoff, login)
    page = seller.get(reverse("kickoff-join-by-code")).content.decode()
    assert "Kick-off Lyon" in page and f'href="{join_url(org, kickoff["session"])}"' in page


def test_projector_shows_where_to_join_on_a_screen_of_its_own(org, kickoff, login):
    client = open_session(org, kickoff, login)
    session = kickoff["session"]
    for seller in (member(org, Role.SELLER), member(org, Role.SELLER)):
        login(seller).get(join_url(org, session))
        login(seller).get(join_url(org, session))  # twice, counted once
    page = client.get(reverse("kickoff-projector", args=[org.slug, session.code])).content.decode()
    assert "http://testserver" + join_url(org, session) in page  # in the QR code's title
    shown = re.sub(r"<wbr>", "", page)
    assert "testserver" + join_url(org, session) + "<" in shown
    assert "testserver" + reverse("kickoff-join-by-code") + "<" in shown
    assert re.search(r'<svg role="img" aria-label="QR code"[^>]*class="projector-qr"', page)
    assert session.join_code in page
    assert re.search(r'data-testid="joined">2</strong> people have joined', page)
    # No app menu, no notification badge; a way back for the consultant.
    for chrome in ("navbar", "Notifications", "notifications-badge", "Sign out"):
        assert chrome not in page, chrome
    detail = reverse("kickoff-session-detail", args=[org.slug, session.code])
    assert f'href="{detail}"' in page and f'data-escape-to="{detail}"' in page
    assert '<span data-testid="joined">2</span> joined' in client.get(detail).content.decode()
    # Closed, the screen no longer invites anyone to join: no QR code, no join code.
    services.kickoff_close(session=session, by=kickoff["consultant"])
    page = client.get(reverse("kickoff-projector", args=[org.slug, session.code])).content.decode()
    assert "This kick-off is closed" in page and "Join on your phone" not in page
    assert "projector-qr" not in page and session.join_code not in page
    assert "have joined" not in page  # the room is gone: no count of who is in it


def test_a_person_cannot_say_me_too_to_their_own_anonymous_concern(org, kickoff, login):
    open_session(org, kickoff, login)
    session = kickoff["session"]
    author = login(member(org, Role.SELLER))
    author.post(join_url(org, session), {"worry": "My posts will be counted"})
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    concern = Concern.objects.get()
    assert concern.author_id is None  # the server still does not know whose it is
    page = author.get(join_url(org, session)).content.decode()
    assert "yours · 0" in page
    assert (
        reverse("kickoff-concern-vote", args=[org.slug, session.join_code, concern.pk]) not in page
    )
    refused = _vote(author, org, session, concern).content.decode()
    assert "This concern is yours" in refused
    concern.refresh_from_db()
    assert concern.votes == 0 and not ConcernVote.objects.exists()
    # Someone else may; and the cookie, signed for its user, says nothing about another.
    other = login(member(org, Role.SELLER))
    other.cookies["kickoff_own_concerns_token"] = author.cookies["kickoff_own_concerns_token"].value
    assert "Me too · 0" in other.get(join_url(org, session)).content.decode()
    _vote(other, org, session, concern)
    concern.refresh_from_db()
    assert concern.votes == 1


def test_a_named_concern_cannot_be_seconded_by_its_author(org, kickoff, login):
    open_session(org, kickoff, login)
    session = kickoff["session"]
    author = member(org, Role.SELLER)
    concern = services.concern_submit(
        session=session, by=author, worry="No time", would_help="", anonymous=False
    )
    page = login(author).get(join_url(org, session)).content.decode()
    assert "yours · 0" in page
    with pytest.raises(services.ValidationError):
        services.concern_vote(concern=concern, by=author)
    assert "This concern is yours" in _vote(login(author), org, session, concern).content.decode()
    concern.refresh_from_db()
    assert concern.votes == 0


def test_error_reports_never_show_which_concerns_a_browser_sent(org, kickoff, login, rf):
    from django.views.debug import SafeExceptionReporterFilter

    from kickoff.views import OWN_CONCERNS_COOKIE

    request = rf.get("/")
    request.COOKIES[OWN_CONCERNS_COOKIE] = "a-concern-code:signature"
    cookies = SafeExceptionReporterFilter().get_safe_cookies(request)
    assert "a-concern-code" not in str(cookies)


def test_whoever_runs_the_kickoff_reaches_its_projector_from_home(org, kickoff, login):
    """On the day of the room the consultant went through five pages to the projector."""
    consultant = login(kickoff["consultant"])
    assert "Kick-off running now" not in _home(consultant, org)  # planned: not yet
    open_session(org, kickoff, login)
    home = _home(consultant, org)
    session = kickoff["session"]
    assert "Kick-off running now" in home and session.join_code in home
    assert reverse("kickoff-projector", args=[org.slug, session.code]) in home
    assert reverse("kickoff-session-detail", args=[org.slug, session.code]) in home
    for role in (Role.SELLER, Role.SPONSOR, Role.MARKETING):  # in the room, or not running it
        assert "Kick-off running now" not in _home(login(member(org, role)), org)
