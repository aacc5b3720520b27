"""Private calendar feeds: the page (make, revoke), the feed (token works, revoked 404, only
the owner's sessions, never another organisation's), tenancy and navigation."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kickoff import services as kickoff_services
from programme import calendar, services
from programme.models import CalendarFeedToken, Role, Session, SessionAttendance
from programme.navigation import navigation_for
from tests.factories import member, open_kickoff


def _session(programme, title, days, *people):
    session = Session.objects.create(
        organisation=programme.organisation, programme=programme, kind="training", title=title,
        starts_at=timezone.now() + datetime.timedelta(days=days), duration_minutes=240,
        practice_minutes=120,
    )  # fmt: skip
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, participant=p.participant) for p in people]
    )
    return session


@pytest.fixture
def world(org, programme, consultant):
    anna, ben = member(org, Role.SELLER), member(org, Role.SELLER)
    _session(programme, "Anna's training", 3, anna)
    _session(programme, "Ben's training", 4, ben)
    _session(programme, "Long ago", -400, anna)
    kickoff_services.kickoff_save(
        programme=programme, by=consultant,
        data={"title": "Anna's kick-off", "held_on": timezone.localdate()}, attendees=[anna],
    )  # fmt: skip
    return anna, ben


def _summaries(response) -> list[str]:
    parsed = icalendar.Calendar.from_ical(response.content)
    return sorted(str(event["SUMMARY"]) for event in parsed.walk("VEVENT"))


def test_feed_lists_only_the_owner_sessions(world, org) -> None:
    anna, _ben = world
    _token, raw = services.calendar_feed_create(by=anna)
    response = Client().get(reverse("programme-calendar-feed-ics", args=[raw]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert _summaries(response) == ["Anna's kick-off", "Anna's training"]
    parsed = icalendar.Calendar.from_ical(response.content)
    assert "METHOD" not in parsed  # a subscription, not an invitation
    assert not any(event.get("ATTENDEE") for event in parsed.walk("VEVENT"))
    # Only a hash is stored.
    stored = CalendarFeedToken.objects.get(membership=anna)
    assert raw not in (stored.token_hash, stored.prefix) and stored.last_used_at is not None


def test_revoked_or_replaced_feed_answers_404(world) -> None:
    anna, _ben = world
    _token, first = services.calendar_feed_create(by=anna)
    _token, second = services.calendar_feed_create(by=anna)
    client = Client()
    assert client.get(reverse("programme-calendar-feed-ics", args=[first])).status_code == 404
    assert client.get(reverse("programme-calendar-feed-ics", args=[second])).status_code == 200
    assert services.calendar_feed_revoke(by=anna) == 1
    assert client.get(reverse("programme-calendar-feed-ics", args=[second])).status_code == 404
    assert client.get(reverse("programme-calendar-feed-ics", args=["sbc_guess"])).status_code == 404


def test_feed_never_lists_another_organisation(world, other_org) -> None:
    anna, _ben = world
    from tests.factories import foreign_world

    theirs = foreign_world(other_org)
    # A session of theirs that (by a bug elsewhere) names Anna's participant.
    SessionAttendance.objects.create(session=theirs["session"], participant=anna.participant)
    _token, raw = services.calendar_feed_create(by=anna)
    response = Client().get(reverse("programme-calendar-feed-ics", args=[raw]))
    assert "Their training" not in _summaries(response)
    assert other_org.name not in response.content.decode()


def test_feed_of_an_archived_organisation_is_gone(world, org) -> None:
    anna, _ben = world
    _token, raw = services.calendar_feed_create(by=anna)
    org.archived_at = timezone.now()
    org.save()
    assert Client().get(reverse("programme-calendar-feed-ics", args=[raw])).status_code == 404


def test_page_makes_shows_once_and_revokes(world, org, login) -> None:
    anna, _ben = world
    client = login(anna)
    page_url = reverse("programme-calendar-feed", args=[org.slug])
    page = client.get(page_url).content.decode()
    assert "You have no feed address." in page and "Anna&#x27;s training" in page
    assert "How to subscribe" in page
    response = client.post(reverse("programme-calendar-feed-create", args=[org.slug]))
    assert response.status_code == 302
    page = client.get(page_url).content.decode()
    assert 'data-testid="calendar-feed-new"' in page and "How to subscribe" in page
    feed_url = page.split('id="calendar-feed-url"')[1].split(">")[1].split("<")[0]
    assert "/calendar/sbc_" in feed_url
    assert Client().get(feed_url).status_code == 200
    # Shown once: the next visit says a feed exists, without its address.
    page = client.get(page_url).content.decode()
    assert "calendar-feed-new" not in page and "calendar-feed-live" in page
    assert (
        client.post(reverse("programme-calendar-feed-revoke", args=[org.slug])).status_code == 302
    )
    assert Client().get(feed_url).status_code == 404
    assert "You have no feed address." in client.get(page_url).content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_the_page_in_its_user_menu(org, login, role) -> None:
    someone = member(org, role)
    account = next(s for s in navigation_for(someone) if s.key == "account")
    assert "programme-calendar-feed" in [link.key for link in account.links]
    assert (
        login(someone).get(reverse("programme-calendar-feed", args=[org.slug])).status_code == 200
    )


def test_page_and_actions_need_sign_in_and_membership(org, other_org, login) -> None:
    outsider = member(other_org, Role.SELLER)
    for name in ("programme-calendar-feed",):
        assert Client().get(reverse(name, args=[org.slug])).status_code == 302  # sign in
        assert login(outsider).get(reverse(name, args=[org.slug])).status_code == 404
    for name in ("programme-calendar-feed-create", "programme-calendar-feed-revoke"):
        assert login(outsider).post(reverse(name, args=[org.slug])).status_code == 404
        assert login(outsider).get(reverse(name, args=[org.slug])).status_code in (404, 405)
    assert not CalendarFeedToken.objects.exists()


def test_feed_times_carry_the_organisation_zone(org, programme, consultant) -> None:
    org.time_zone = "Europe/Paris"
    org.save()
    anna = member(org, Role.SELLER)
    _session(programme, "Zoned", 5, anna)
    raw = services.calendar_feed_create(by=anna)[1]
    body = Client().get(reverse("programme-calendar-feed-ics", args=[raw])).content.decode()
    assert "DTSTART;TZID=Europe/Paris:" in body and "BEGIN:VTIMEZONE" in body
    assert calendar.feed_events(anna)[0].title == "Zoned"


def test_feed_runs_a_fixed_number_of_queries(org, programme, consultant, count_queries) -> None:
    anna = member(org, Role.SELLER)
    raw = services.calendar_feed_create(by=anna)[1]
    url = reverse("programme-calendar-feed-ics", args=[raw])
    _session(programme, "One", 2, anna)
    few = count_queries(Client().get, url)
    for day in range(3, 13):
        _session(programme, f"More {day}", day, anna)
    kickoff_services.kickoff_save(
        programme=programme, by=consultant,
        data={"title": "Kick-off", "held_on": timezone.localdate()}, attendees=[anna],
    )  # fmt: skip
    assert count_queries(Client().get, url) == few


def test_a_kick_off_in_the_feed_links_to_its_join_page_which_every_attendee_may_open(org, login):
    """The board answers 403 to sellers: the feed page and the invitation link the join page."""
    from django.urls import reverse

    from kickoff.calendar import _event

    session = open_kickoff(org)
    path = _event(session, ()).path
    assert path == reverse("kickoff-join", args=[org.slug, session.join_code])
    assert login(member(org, Role.SELLER)).get(path).status_code == 200
