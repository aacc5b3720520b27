"""Kick-off: safe anonymous concerns, one vote each, closing forgets voters, follow-through."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from kickoff import services
from kickoff.models import Concern, ConcernVote, EmotionSignal, KickoffSession
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import OrganisationFactory, TeamFactory, member


@pytest.fixture
def kickoff(org):
    consultant = member(org, Role.CONSULTANT)
    programme = programme_services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[],
        consultants=[consultant],
    )
    session = services.kickoff_save(
        by=consultant,
        programme=programme,
        data={"title": "Kick-off Lyon", "held_on": timezone.localdate(), "facilitator": consultant},
        attendees=[],
    )
    return {"session": session, "consultant": consultant, "programme": programme}


def join_url(org, session):
    return reverse("kickoff-join", args=[org.slug, session.join_code])


def open_session(org, kickoff, login):
    client = login(kickoff["consultant"])
    response = client.post(
        reverse("kickoff-session-open", args=[org.slug, kickoff["session"].code])
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/projector/")
    return client


def test_anonymous_concern_holds_nothing_that_identifies_the_author(org, kickoff, login, caplog):
    open_session(org, kickoff, login)
    seller = member(org, Role.SELLER)
    caplog.set_level(logging.DEBUG)
    response = login(seller).post(
        join_url(org, kickoff["session"]),
        {"worry": "I will look silly posting", "would_help": "Practice in pairs"},
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 302
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    concern = Concern.objects.get()
    assert concern.author is None
    values = [getattr(concern, f.attname) for f in Concern._meta.concrete_fields]
    identifying = {seller.pk, seller.user_id, seller.participant.pk, str(seller.user.code)}
    assert not identifying & set(values)
    assert not any(isinstance(v, datetime.datetime) for v in values)
    assert "192.0.2.77" not in str(values)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert seller.user.email not in logged and "192.0.2.77" not in logged
    assert str(concern.pk) not in logged


def test_named_concern_keeps_the_author(org, kickoff, login):
    open_session(org, kickoff, login)
    seller = member(org, Role.SELLER)
    login(seller).post(join_url(org, kickoff["session"]), {"worry": "Time", "named": "on"})
    assert Concern.objects.get().author == seller


def test_one_vote_per_person_and_closing_forgets_voters(org, kickoff, login):
    consultant_client = open_session(org, kickoff, login)
    session = kickoff["session"]
    author, voter = member(org, Role.SELLER), member(org, Role.SELLER)
    login(author).post(join_url(org, session), {"worry": "Quota pressure"})
    anonymous_flush()
    concern = Concern.objects.get()
    vote = reverse("kickoff-concern-vote", args=[org.slug, session.join_code, concern.code])
    client = login(voter)
    assert client.post(vote).status_code == 302
    page = client.post(vote, follow=True).content.decode()
    assert "it counts once" in page
    concern.refresh_from_db()
    assert concern.votes == 1 and ConcernVote.objects.filter(voter=voter).count() == 1

    consultant_client.post(
        reverse("kickoff-session-close", args=[org.slug, session.code]), {"confirm": "close"}
    )
    session.refresh_from_db()
    assert session.status == "closed"
    assert not ConcernVote.objects.exists()  # nothing links a vote to a person any more
    concern.refresh_from_db()
    assert concern.votes == 1

    # Closed: no more concerns or votes, and it cannot be reopened.
    response = login(author).post(join_url(org, session), {"worry": "Late one"}, follow=True)
    assert "no longer takes concerns" in response.content.decode()
    assert Concern.objects.count() == 1
    login(author).post(vote)
    concern.refresh_from_db()
    assert concern.votes == 1
    reopen = consultant_client.post(
        reverse("kickoff-session-open", args=[org.slug, session.code]), follow=True
    )
    assert "A closed session stays closed" in reopen.content.decode()


def test_planned_session_takes_nothing_yet(org, kickoff, login):
    seller = member(org, Role.SELLER)
    login(seller).post(join_url(org, kickoff["session"]), {"worry": "Too early"})
    assert not Concern.objects.exists()


def test_outsider_gets_404_on_the_join_link(org, kickoff, login):
    open_session(org, kickoff, login)
    outsider = member(OrganisationFactory(), Role.SELLER)
    client = login(outsider)
    url = join_url(org, kickoff["session"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"worry": "x"}).status_code == 404
    # The code typed on /join/ is looked up only in the outsider's own organisations.
    response = client.post(
        reverse("kickoff-join-by-code"), {"join_code": kickoff["session"].join_code}
    )
    assert response.status_code == 400
    assert "No session of yours has this code" in response.content.decode()
    assert not Concern.objects.exists()


def test_join_by_code_finds_the_session(org, kickoff, login):
    open_session(org, kickoff, login)
    client = login(member(org, Role.SELLER))
    code = kickoff["session"].join_code.lower()
    response = client.post(reverse("kickoff-join-by-code"), {"join_code": f" {code} "})
    assert response["Location"] == join_url(org, kickoff["session"])


def test_bad_concern_input_is_refused(org, kickoff, login):
    open_session(org, kickoff, login)
    client = login(member(org, Role.SELLER))
    response = client.post(join_url(org, kickoff["session"]), {"worry": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(join_url(org, kickoff["session"]), {"worry": "x" * 2001})
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_merge_counts_each_voice_once(org, kickoff, login):
    consultant_client = open_session(org, kickoff, login)
    session = kickoff["session"]
    a = services.concern_submit(
        session=session, by=kickoff["consultant"], worry="No time", would_help="", anonymous=True
    )
    b = services.concern_submit(
        session=session,
        by=kickoff["consultant"],
        worry="Not enough time",
        would_help="",
        anonymous=True,
    )
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    both, only_b = member(org, Role.SELLER), member(org, Role.SELLER)
    for voter, concern in ((both, a), (both, b), (only_b, b)):
        services.concern_vote(concern=concern, by=voter)
    response = consultant_client.post(
        reverse("kickoff-concern-merge", args=[org.slug, b.code]), {"into": str(a.code)}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.votes, b.votes, b.merged_into) == (2, 0, a)
    # A vote on the merged duplicate lands on the original, still once per person.
    assert services.concern_vote(concern=b, by=only_b) is False
    seller = member(org, Role.SELLER)
    assert (
        login(seller)
        .post(reverse("kickoff-concern-merge", args=[org.slug, a.code]), {"into": str(b.code)})
        .status_code
        == 403
    )


def test_follow_through_to_you_said_we_did(org, kickoff, login):
    open_session(org, kickoff, login)
    session = kickoff["session"]
    sponsor = member(org, Role.SPONSOR)
    concern = services.concern_submit(
        session=session,
        by=kickoff["consultant"],
        worry="Will posts be counted?",
        would_help="",
        anonymous=True,
    )
    anonymous_flush()
    concern = Concern.objects.get(pk=concern.pk)
    url = reverse("kickoff-concern-detail", args=[org.slug, concern.code])
    client = login(sponsor)
    response = client.post(url, {"status": "in_progress"})
    assert response.status_code == 400
    assert "Name who works on it" in response.content.decode()
    response = client.post(url, {"status": "addressed", "owner": sponsor.pk, "action": "x"})
    assert "Write the response sellers will read" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == "recorded"
    client.post(url, {"status": "addressed", "owner": sponsor.pk, "response": "Never counted."})
    concern.refresh_from_db()
    assert concern.status == "addressed" and concern.addressed_on == timezone.localdate()
    seller = member(org, Role.SELLER)
    page = (
        login(seller)
        .get(reverse("kickoff-you-said-we-did", args=[org.slug, kickoff["programme"].code]))
        .content.decode()
    )
    assert "Will posts be counted?" in page and "Never counted." in page
    assert login(seller).post(url, {"status": "recorded"}).status_code == 403


def test_unaddressed_concerns_are_flagged_to_consultant_and_sponsor(org, kickoff, login):
    session = kickoff["session"]
    KickoffSession.objects.filter(pk=session.pk).update(
        held_on=timezone.localdate() - datetime.timedelta(days=31), status="open"
    )
    session.refresh_from_db()
    services.concern_submit(
        session=session, by=kickoff["consultant"], worry="Old worry", would_help="", anonymous=True
    )
    anonymous_flush()
    home = reverse("programme-organisation-home", args=[org.slug])
    assert (
        "1 kick-off concern not addressed in time"
        in login(kickoff["consultant"]).get(home).content.decode()
    )
    assert "not addressed in time" in login(member(org, Role.SPONSOR)).get(home).content.decode()
    assert "not addressed in time" not in login(member(org, Role.SELLER)).get(home).content.decode()


def test_emotions_summarised_by_type_and_source(org, kickoff, login):
    client = login(kickoff["consultant"])
    team = TeamFactory(organisation=org, name="Lyon")
    person = member(org, Role.MANAGER)
    url = reverse("kickoff-emotion-log", args=[org.slug, kickoff["session"].code])
    client.post(url, {"kind": "anxiety", "intensity": 3, "team": team.pk})
    client.post(url, {"kind": "anxiety", "intensity": 1, "team": team.pk})
    client.post(url, {"kind": "cynicism", "intensity": 2, "participant": person.participant.pk})
    client.post(url, {"kind": "silence", "intensity": 2})
    refused = client.post(url, {"kind": "anger", "intensity": 7}, follow=True)
    assert "intensity from 1 to 3" in refused.content.decode()
    assert EmotionSignal.objects.count() == 4
    page = client.get(reverse("kickoff-session-detail", args=[org.slug, kickoff["session"].code]))
    summary = page.context["emotions"]
    assert {(r["label"], r["n"]) for r in summary["by_kind"]} == {
        ("Anxiety", 2),
        ("Cynicism", 1),
        ("Silence", 1),
    }
    assert {(r["source"], r["n"]) for r in summary["by_source"]} == {
        ("Lyon", 2),
        (person.user.get_full_name(), 1),
        ("The room", 1),
    }
    assert (
        login(member(org, Role.SELLER)).post(url, {"kind": "anger", "intensity": 1}).status_code
        == 403
    )


def test_projector_and_join_pages_run_a_fixed_number_of_queries(org, kickoff, login, count_queries):
    client = open_session(org, kickoff, login)
    session = kickoff["session"]
    seller = member(org, Role.SELLER)
    seller_client = login(seller)
    pages = [
        (client, reverse("kickoff-projector", args=[org.slug, session.code])),
        (client, reverse("kickoff-session-detail", args=[org.slug, session.code])),
        (seller_client, join_url(org, session)),
    ]

    def add(n):
        for i in range(n):
            c = services.concern_submit(
                session=session,
                by=kickoff["consultant"],
                worry=f"W{i}",
                would_help="",
                anonymous=True,
            )
            anonymous_flush()
            services.concern_categorise(
                by=kickoff["consultant"], concern=c, category=f"Cat {i % 3}"
            )
            services.concern_vote(concern=c, by=seller)

    def count(c, url):
        return count_queries(lambda: c.get(url).status_code == 200 or pytest.fail(url))

    add(2)
    for c, url in pages:
        c.get(url)
    small = [count(c, url) for c, url in pages]
    add(20)
    assert [count(c, url) for c, url in pages] == small
    fragment = client.get(pages[0][1], HTTP_HX_REQUEST="true").content.decode()
    assert (
        fragment.lstrip().startswith('<div id="live-concerns"')
        # Presenter mode: the top eight, readable on the wall, and how many more there are.
        and fragment.count('data-testid="projector-concern"') == 8
        and "+14 more" in fragment
    )
