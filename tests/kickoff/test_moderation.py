"""Kick-off moderation: a session may make every concern wait for its facilitator, and a
concern holding one of the organisation's blocked words waits whatever the session says.
A held concern is on no screen, page, report or count until approved; its sender (and only
they) sees it waiting; the facilitator approves or rejects it in one click; merging still works.
The permission matrix for the new actions is at the end."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kickoff import selectors, services
from kickoff.models import Concern, KickoffSession, Moderation
from metrics.dashboards import consultant_view
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff.test_permission_matrix import ROLES, RUNS, world  # noqa: F401

TODAY = timezone.localdate()


@pytest.fixture
def room(org):
    consultant, sponsor = member(org, Role.CONSULTANT), member(org, Role.SPONSOR)
    programme = programme_services.programme_save(
        organisation=org, by=consultant, data={"name": "Social selling", "start_date": TODAY},
        sponsors=[sponsor], consultants=[consultant],
    )  # fmt: skip
    session = services.kickoff_save(
        programme=programme, by=consultant, attendees=[],
        data={"title": "Kick-off Lyon", "held_on": TODAY},
    )  # fmt: skip
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    programme_services.blocked_word_add(by=consultant, word="idiot")
    return {
        "consultant": consultant, "sponsor": sponsor, "programme": programme,
        "session": session, "seller": member(org, Role.SELLER), "other": member(org, Role.SELLER),
    }  # fmt: skip


def _premoderate(session: KickoffSession) -> KickoffSession:
    KickoffSession.objects.filter(pk=session.pk).update(premoderated=True)
    session.refresh_from_db()
    return session


def _join(org, session) -> str:
    return reverse("kickoff-join", args=[org.slug, session.join_code])


def _board(org, session) -> str:
    return reverse("kickoff-session-detail", args=[org.slug, session.code])


def _send(client, org, session, worry, *, named=False, would_help=""):
    data = {"worry": worry, "would_help": would_help}
    if named:
        data["named"] = "on"
    response = client.post(_join(org, session), data, follow=True)
    anonymous_flush()
    return response


def _everywhere_shown(org, login, room) -> str:
    """Every page that shows a session's concerns to others, joined into one text."""
    session = room["session"]
    consultant = login(room["consultant"])
    pages = [
        consultant.get(reverse("kickoff-projector", args=[org.slug, session.code])),
        consultant.get(reverse("kickoff-report", args=[org.slug, session.code])),
        login(room["sponsor"]).get(_board(org, session)),
        login(room["other"]).get(_join(org, session)),
        consultant.get(reverse("kickoff-session-export", args=[org.slug, session.code])),
    ]
    assert all(page.status_code == 200 for page in pages)
    return "\n".join(page.content.decode() for page in pages)


# --- Holding ---


def test_a_premoderated_sessions_concerns_wait_for_the_facilitator(org, login, room) -> None:
    session = _premoderate(room["session"])
    response = _send(login(room["seller"]), org, session, "Quotas will suffer", named=True)
    assert "waits for the facilitator" in response.content.decode()
    concern = Concern.objects.get(worry="Quotas will suffer")
    assert concern.moderation == Moderation.HELD
    assert "Quotas will suffer" not in _everywhere_shown(org, login, room)
    assert list(selectors.live_concerns(session)) == []
    assert selectors.kickoffs_of_programme(room["programme"]).get().concern_count == 0
    # The consultant sees it in the queue, with its author's name (they chose to give it).
    board = login(room["consultant"]).get(_board(org, session)).content.decode()
    queue = board[board.index('id="moderation-queue"') : board.index('id="concerns-board"')]
    assert "Quotas will suffer" in queue and "1 concern waits for you" in queue


def test_anonymous_concerns_written_by_the_batch_are_held_too(org, login, room) -> None:
    session = _premoderate(room["session"])
    client = login(room["seller"])
    response = _send(client, org, session, "Nobody reads posts")
    assert "waits for the facilitator" in response.content.decode()
    concern = Concern.objects.get(worry="Nobody reads posts")
    assert concern.author_id is None and concern.moderation == Moderation.HELD
    # Its sender sees it waiting (their browser knows it is theirs); nobody else sees it.
    mine = client.get(_join(org, session)).content.decode()
    assert "Nobody reads posts" in mine and "yours, waiting for the facilitator" in mine
    assert "Nobody reads posts" not in _everywhere_shown(org, login, room)


def test_a_blocked_word_holds_a_concern_whatever_the_session_says(org, login, room) -> None:
    session = room["session"]
    assert not session.premoderated
    client = login(room["seller"])
    _send(client, org, session, "My manager is an IDIÓT about this")
    _send(client, org, session, "Fine", would_help="less idiot training", named=True)
    _send(client, org, session, "Idiotic targets")  # a longer word: not the blocked one
    held = set(Concern.objects.filter(moderation=Moderation.HELD).values_list("worry", flat=True))
    assert held == {"My manager is an IDIÓT about this", "Fine"}
    shown = _everywhere_shown(org, login, room)
    assert "IDIÓT" not in shown and "less idiot training" not in shown
    assert "Idiotic targets" in shown
    board = login(room["consultant"]).get(_board(org, session)).content.decode()
    assert "holds a blocked word: idiot" in board


def test_a_blocked_word_added_while_a_concern_is_queued_holds_it(org, login, room) -> None:
    """The batch decides when it writes: the list as it is then applies."""
    session = room["session"]
    services.concern_submit(
        session=session, by=room["seller"], worry="What a scam", would_help="", anonymous=True
    )
    programme_services.blocked_word_add(by=room["consultant"], word="scam")
    anonymous_flush()
    assert Concern.objects.get(worry="What a scam").moderation == Moderation.HELD


def test_another_organisations_blocked_words_hold_nothing_here(org, other_org, login, room):
    programme_services.blocked_word_add(by=member(other_org, Role.ADMIN), word="quota")
    _send(login(room["seller"]), org, room["session"], "My quota")
    assert Concern.objects.get(worry="My quota").moderation == Moderation.SHOWN


def test_planning_a_session_sets_the_option(org, login, room) -> None:
    client = login(room["consultant"])
    url = reverse("kickoff-session-list", args=[org.slug, room["programme"].code])
    assert "Concerns wait for me before they are shown" in client.get(url).content.decode()
    client.post(
        url,
        {"title": "Careful", "held_on": TODAY.isoformat(), "follow_up_days": 30,
         "premoderated": "on"},
    )  # fmt: skip
    assert KickoffSession.objects.get(title="Careful").premoderated


# --- Approving, rejecting ---


def _moderate(client, org, concern, decision, **headers):
    url = reverse("kickoff-concern-moderate", args=[org.slug, concern.code])
    return client.post(url, {"decision": decision}, **headers)


def test_approving_puts_the_concern_on_the_screen(org, login, room) -> None:
    session = _premoderate(room["session"])
    _send(login(room["seller"]), org, session, "Quotas will suffer")
    concern = Concern.objects.get()
    response = _moderate(login(room["consultant"]), org, concern, "approve")
    assert response.status_code == 302 and response["Location"] == _board(org, session)
    assert Concern.objects.get().moderation == Moderation.SHOWN
    assert "Quotas will suffer" in _everywhere_shown(org, login, room)
    assert selectors.kickoffs_of_programme(room["programme"]).get().concern_count == 1
    # Now others can second it.
    assert services.concern_vote(concern=Concern.objects.get(), by=room["other"])


def test_rejecting_shows_it_nowhere_and_tells_its_sender(org, login, room) -> None:
    session = room["session"]
    seller = login(room["seller"])
    _send(seller, org, session, "You idiot")
    concern = Concern.objects.get()
    _moderate(login(room["consultant"]), org, concern, "reject")
    assert Concern.objects.get().moderation == Moderation.REJECTED
    assert "You idiot" not in _everywhere_shown(org, login, room)
    board = login(room["consultant"]).get(_board(org, session)).content.decode()
    assert "You idiot" not in board
    mine = seller.get(_join(org, session)).content.decode()
    assert "You idiot" in mine and "yours, not shown by the facilitator" in mine


def test_a_decision_is_made_once(org, login, room) -> None:
    _send(login(room["seller"]), org, room["session"], "You idiot")
    concern = Concern.objects.get()
    client = login(room["consultant"])
    _moderate(client, org, concern, "reject")
    response = _moderate(client, org, concern, "approve", follow=True)
    assert "moderated already" in response.content.decode()
    assert Concern.objects.get().moderation == Moderation.REJECTED


def test_a_shown_concern_cannot_be_moderated_and_a_bad_decision_changes_nothing(
    org, login, room
) -> None:
    _send(login(room["seller"]), org, room["session"], "Quotas")
    concern = Concern.objects.get()
    client = login(room["consultant"])
    assert (
        "moderated already"
        in _moderate(client, org, concern, "reject", follow=True).content.decode()
    )
    response = _moderate(client, org, concern, "delete", follow=True)
    assert "Choose to approve or to reject" in response.content.decode()
    assert Concern.objects.get().moderation == Moderation.SHOWN


def test_htmx_swaps_the_queue_and_the_board_from_the_same_answer(org, login, room) -> None:
    session = _premoderate(room["session"])
    _send(login(room["seller"]), org, session, "Quotas will suffer")
    client = login(room["consultant"])
    board = client.get(_board(org, session)).content.decode()
    assert 'hx-select="#moderation-queue"' in board and 'hx-select-oob="#concerns-board"' in board
    response = _moderate(client, org, Concern.objects.get(), "approve", HTTP_HX_REQUEST="true")
    assert response.status_code == 302  # htmx follows it and picks both parts from the board
    page = client.get(response["Location"]).content.decode()
    assert 'id="moderation-queue"' in page and 'id="concerns-board"' in page
    assert "Quotas will suffer" in page[page.index('id="concerns-board"') :]


def test_nobody_can_second_a_held_concern(org, login, room) -> None:
    _send(login(room["seller"]), org, room["session"], "You idiot")
    concern = Concern.objects.get()
    with pytest.raises(ValidationError, match="not on the screen"):
        services.concern_vote(concern=concern, by=room["other"])
    url = reverse("kickoff-concern-vote", args=[org.slug, room["session"].join_code, concern.code])
    login(room["other"]).post(url)
    assert Concern.objects.get().votes == 0


def test_the_sponsor_reading_the_board_sees_no_held_concern(org, login, room) -> None:
    _send(login(room["seller"]), org, room["session"], "You idiot")
    board = login(room["sponsor"]).get(_board(org, room["session"])).content.decode()
    assert "You idiot" not in board and 'id="moderation-queue"' not in board


def test_held_concerns_are_in_no_count_or_list_of_the_programme(org, login, room) -> None:
    session = room["session"]
    _send(login(room["seller"]), org, session, "You idiot")
    KickoffSession.objects.filter(pk=session.pk).update(held_on=TODAY.replace(year=TODAY.year - 1))
    assert list(selectors.overdue_concerns(org)) == []
    assert consultant_view(org).concerns == []
    Concern.objects.update(moderation=Moderation.SHOWN)  # the same concern, shown: it counts
    assert len(selectors.overdue_concerns(org)) == 1
    assert len(consultant_view(org).concerns) == 1


# --- Merging ---


def test_a_held_concern_can_be_merged_into_a_shown_one(org, login, room) -> None:
    session = room["session"]
    client = login(room["seller"])
    _send(client, org, session, "No time at all")
    _send(client, org, session, "No time, idiot")
    shown = Concern.objects.get(worry="No time at all")
    held = Concern.objects.get(worry="No time, idiot")
    consultant = login(room["consultant"])
    board = consultant.get(_board(org, session)).content.decode()
    assert f'id="merge-held-{held.code}"' in board
    consultant.post(
        reverse("kickoff-concern-merge", args=[org.slug, held.code]), {"into": str(shown.code)}
    )
    held.refresh_from_db()
    assert held.merged_into_id == shown.pk
    board = consultant.get(_board(org, session)).content.decode()
    assert "No time, idiot" not in board  # out of the queue, counted with the shown one


def test_nothing_is_merged_into_a_held_concern(org, login, room) -> None:
    session = room["session"]
    client = login(room["seller"])
    _send(client, org, session, "No time at all")
    _send(client, org, session, "No time, idiot")
    shown = Concern.objects.get(worry="No time at all")
    held = Concern.objects.get(worry="No time, idiot")
    with pytest.raises(ValidationError, match="shown, not one held back"):
        services.concern_merge(duplicate=shown, into=held, by=room["consultant"])
    assert Concern.objects.filter(merged_into__isnull=False).count() == 0


# --- Queries ---


def test_the_board_runs_a_fixed_number_of_queries_whatever_the_queue(
    org, login, room, count_queries
) -> None:
    session = _premoderate(room["session"])
    client = login(room["consultant"])
    url = _board(org, session)

    def add(n):
        for i in range(n):
            services.concern_submit(
                session=session, by=room["seller"], worry=f"W{i}", would_help="", anonymous=True
            )
        anonymous_flush()

    add(2)
    client.get(url)
    small = count_queries(client.get, url)
    add(20)
    assert count_queries(client.get, url) == small


# --- Permission matrix: the new actions, by page and by service ---


@pytest.mark.parametrize("role", ROLES)
def test_moderating_by_page(org, login, world, role) -> None:  # noqa: F811
    concern = world["concern"]
    Concern.objects.filter(pk=concern.pk).update(moderation=Moderation.HELD)
    client = login(member(org, role))
    response = _moderate(client, org, concern, "approve")
    moderated = Concern.objects.get(pk=concern.pk).moderation == Moderation.SHOWN
    if role in RUNS:
        assert response.status_code == 302 and moderated
    else:
        assert response.status_code == 403 and not moderated


@pytest.mark.parametrize("role", ROLES)
def test_moderating_by_service(org, world, role) -> None:  # noqa: F811
    concern = world["concern"]
    Concern.objects.filter(pk=concern.pk).update(moderation=Moderation.HELD)
    actor = member(org, role)
    if role in RUNS:
        services.concern_moderate(concern=concern, by=actor, approve=False)
        assert Concern.objects.get(pk=concern.pk).moderation == Moderation.REJECTED
    else:
        with pytest.raises(PermissionDenied):
            services.concern_moderate(concern=concern, by=actor, approve=False)
        assert Concern.objects.get(pk=concern.pk).moderation == Moderation.HELD


def test_moderating_another_organisations_concern_is_refused(other_org, world) -> None:  # noqa: F811
    concern = world["concern"]
    Concern.objects.filter(pk=concern.pk).update(moderation=Moderation.HELD)
    with pytest.raises(PermissionDenied):
        services.concern_moderate(
            concern=concern, by=member(other_org, Role.CONSULTANT), approve=True
        )
    assert Concern.objects.get(pk=concern.pk).moderation == Moderation.HELD


# --- The switch on the board ---


def test_the_board_switches_premoderation_on_and_off(org, login, room) -> None:
    session = room["session"]
    client = login(room["consultant"])
    url = reverse("kickoff-session-premoderation", args=[org.slug, session.code])
    assert "Make concerns wait for me" in client.get(_board(org, session)).content.decode()
    client.post(url, {"premoderated": "on"})
    session.refresh_from_db()
    assert session.premoderated
    _send(login(room["seller"]), org, session, "Quotas will suffer", named=True)
    client.post(url, {"premoderated": "off"})
    session.refresh_from_db()
    assert not session.premoderated
    # What waits still waits: turning it off releases nothing unseen.
    assert Concern.objects.get().moderation == Moderation.HELD
    response = client.post(url, {"premoderated": "maybe"}, follow=True)
    assert "Choose whether concerns wait for you" in response.content.decode()
    session.refresh_from_db()
    assert not session.premoderated


@pytest.mark.parametrize("role", ROLES)
def test_switching_premoderation_by_page_and_service(org, login, world, role) -> None:  # noqa: F811
    session = world["session"]
    actor = member(org, role)
    url = reverse("kickoff-session-premoderation", args=[org.slug, session.code])
    response = login(actor).post(url, {"premoderated": "on"})
    switched = KickoffSession.objects.get(pk=session.pk).premoderated
    assert (response.status_code, switched) == ((302, True) if role in RUNS else (403, False))
    if role not in RUNS:
        with pytest.raises(PermissionDenied):
            services.kickoff_premoderation_set(session=session, by=actor, on=True)
        assert not KickoffSession.objects.get(pk=session.pk).premoderated


def test_another_organisation_cannot_switch_premoderation(other_org, world) -> None:  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.kickoff_premoderation_set(
            session=world["session"], by=member(other_org, Role.ADMIN), on=True
        )
    assert not KickoffSession.objects.get(pk=world["session"].pk).premoderated
