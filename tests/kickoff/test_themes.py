"""Themes: the words that recur across a session's live concerns, counted in SQL (ts_stat,
stemmed, stop words dropped), listed with counts; one narrows the board to its concerns and
can be answered once in "you said, we did"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kickoff import selectors, services
from kickoff.models import Concern, Moderation, ThemeFollowUp
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff.test_permission_matrix import FOLLOWS_UP, ROLES

TODAY = timezone.localdate()
WORRIES = [
    ("My manager will judge my posts", "Managers who post first"),
    ("Managers do not post themselves", ""),
    ("The manager decides my review", "A promise from the managers"),
    ("No time for posting", "Protected time"),
    ("Time is what I lack", ""),
    ("The customers will see spam", ""),
]


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
    seller = member(org, Role.SELLER)
    for worry, would_help in WORRIES:
        services.concern_submit(
            session=session, by=seller, worry=worry, would_help=would_help, anonymous=True
        )
    anonymous_flush()
    return {"consultant": consultant, "sponsor": sponsor, "programme": programme,
            "session": session, "seller": seller}  # fmt: skip


def _themes(org, room) -> dict[str, tuple[str, int]]:
    return {t.word: (t.label, t.count) for t in selectors.concern_themes(room["session"], org)}


def _board(org, session, **query) -> str:
    url = reverse("kickoff-session-detail", args=[org.slug, session.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_recurring_words_are_counted_by_concern_and_named_as_written(org, room) -> None:
    themes = selectors.concern_themes(room["session"], org)
    # "manager", "managers": one stem, in three concerns (a concern counts once however often
    # it says it); named by the spelling used most. Stop words ("the", "my", "no") are not
    # themes, nor is a word in one concern only ("spam").
    # "posts", "post", "posting": one stem too, as often but said fewer times than "managers".
    assert [(t.word, t.label, t.count) for t in themes] == [
        ("manag", "managers", 3),
        ("post", "post", 3),
        ("time", "time", 2),
    ]


def test_held_and_merged_concerns_are_not_counted(org, room) -> None:
    session = room["session"]
    time_concerns = Concern.objects.filter(worry__icontains="time")
    first, second = list(time_concerns.order_by("worry"))
    Concern.objects.filter(pk=first.pk).update(moderation=Moderation.HELD)
    assert "time" not in _themes(org, room)
    Concern.objects.filter(pk=first.pk).update(moderation=Moderation.SHOWN)
    services.concern_merge(duplicate=first, into=second, by=room["consultant"])
    assert "time" not in _themes(org, room)
    assert selectors.concern_themes(session, org)[0].word == "manag"


def test_another_sessions_concerns_are_not_counted(org, room) -> None:
    other = services.kickoff_save(
        programme=room["programme"], by=room["consultant"], attendees=[],
        data={"title": "Kick-off Nantes", "held_on": TODAY},
    )  # fmt: skip
    assert selectors.concern_themes(other, org) == []


def test_at_most_fifteen_themes_most_frequent_first(org, room) -> None:
    session = room["session"]
    words = [f"word{chr(97 + i)}" for i in range(20)]
    for _ in range(2):
        services.concern_submit(
            session=session, by=room["seller"], worry=" ".join(words), would_help="",
            anonymous=True,
        )  # fmt: skip
    anonymous_flush()
    themes = selectors.concern_themes(session, org)
    assert len(themes) == selectors.THEMES_SHOWN == 15
    counts = [t.count for t in themes]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3


def test_the_language_decides_the_configuration() -> None:
    assert selectors.text_search_config(SimpleNamespace()) == "english"
    assert selectors.text_search_config(SimpleNamespace(language="de-ch")) == "german"
    assert selectors.text_search_config(SimpleNamespace(language="fr")) == "french"
    assert selectors.text_search_config(SimpleNamespace(language="sv")) == "swedish"
    assert selectors.text_search_config(SimpleNamespace(language="cs")) == "simple"


def test_themes_run_in_one_query(org, room, count_queries) -> None:
    assert count_queries(selectors.concern_themes, room["session"], org) == 1


# --- The board ---


def test_the_board_lists_themes_and_a_theme_narrows_it(org, login, room) -> None:
    client = login(room["consultant"])
    page = client.get(_board(org, room["session"])).content.decode()
    assert 'data-testid="themes"' in page and "managers" in page and "?theme=manag" in page
    assert "customers will see spam" in page
    page = client.get(_board(org, room["session"], theme="manag")).content.decode()
    board = page[page.index('id="concerns-heading"') :]
    assert "Showing the 3 concerns holding “managers”" in page
    assert "My manager will judge" in board and "The manager decides" in board
    assert "Managers do not post" in board
    assert "No time for posting" not in board and "customers will see spam" not in board


@pytest.mark.parametrize("asked", ["nothing", "'; DROP TABLE x; --", "a & b | !c", "x" * 500])
def test_an_unknown_theme_shows_everything_and_says_so(org, login, room, asked) -> None:
    response = login(room["consultant"]).get(
        reverse("kickoff-session-detail", args=[org.slug, room["session"].code]), {"theme": asked}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "in this session's concerns: all concerns are shown" in page
    assert "customers will see spam" in page


def test_concerns_with_theme_compares_the_lexeme_exactly(org, room) -> None:
    session = room["session"]
    assert selectors.concerns_with_theme(session, org, "manag").count() == 3
    assert selectors.concerns_with_theme(session, org, "manag:*").count() == 0
    assert selectors.concerns_with_theme(session, org, "manag | time").count() == 0


# --- Following a theme up ---


def _follow_up_url(org, room) -> str:
    return reverse("kickoff-session-theme-follow-up", args=[org.slug, room["session"].code])


def test_following_up_a_theme_publishes_one_item_for_its_concerns(org, login, room) -> None:
    client = login(room["consultant"])
    page = client.get(_follow_up_url(org, room), {"theme": "manag"}).content.decode()
    assert "Follow up the theme “managers”" in page and "Managers do not post" in page
    response = client.post(
        _follow_up_url(org, room),
        {"theme": "manag", "action": "Managers post first", "response": "Every manager posted."},
    )
    assert response.status_code == 302 and response["Location"].endswith("?theme=manag")
    follow_up = ThemeFollowUp.objects.get()
    assert follow_up.concerns.count() == 3 and follow_up.label == "managers"
    seller = login(room["seller"])
    said = seller.get(
        reverse("kickoff-you-said-we-did", args=[org.slug, room["programme"].code])
    ).content.decode()
    assert said.count('data-testid="theme-follow-up"') == 1
    assert "“managers”, in 3 concerns" in said and "Every manager posted." in said
    board = client.get(_board(org, room["session"], theme="manag")).content.decode()
    assert "Answered in “you said, we did”" in board


def test_answering_a_theme_again_replaces_its_answer(org, login, room) -> None:
    client = login(room["sponsor"])
    for text in ("First answer", "Better answer"):
        client.post(_follow_up_url(org, room), {"theme": "time", "response": text})
    follow_up = ThemeFollowUp.objects.get()
    assert follow_up.response == "Better answer" and follow_up.concerns.count() == 2


def test_a_follow_up_needs_a_response_and_a_real_theme(org, login, room) -> None:
    client = login(room["consultant"])
    response = client.post(_follow_up_url(org, room), {"theme": "manag", "response": "  "})
    assert response.status_code == 400
    assert "Write the response sellers will read." in response.content.decode()
    response = client.post(
        _follow_up_url(org, room), {"theme": "spam", "response": "Done"}, follow=True
    )
    assert "no such theme" in response.content.decode()
    assert not ThemeFollowUp.objects.exists()
    with pytest.raises(ValidationError):
        services.theme_follow_up_save(
            session=room["session"], by=room["consultant"], word="spam", label="spam",
            concerns=[], action="", response="Done",
        )  # fmt: skip
    assert not ThemeFollowUp.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_follows_up_a_theme(org, login, room, role) -> None:
    actor = member(org, role)
    response = login(actor).post(_follow_up_url(org, room), {"theme": "time", "response": "Ok"})
    assert response.status_code == (302 if role in FOLLOWS_UP else 403)
    assert ThemeFollowUp.objects.exists() == (role in FOLLOWS_UP)
    ThemeFollowUp.objects.all().delete()
    concerns = list(selectors.concerns_with_theme(room["session"], org, "time"))
    call = lambda by: services.theme_follow_up_save(  # noqa: E731
        session=room["session"], by=by, word="time", label="time", concerns=concerns,
        action="", response="Ok",
    )  # fmt: skip
    if role in FOLLOWS_UP:
        call(actor)
        assert ThemeFollowUp.objects.exists()
    else:
        with pytest.raises(PermissionDenied):
            call(actor)
        assert not ThemeFollowUp.objects.exists()


def test_another_organisation_cannot_follow_up_a_theme(org, other_org, room) -> None:
    concerns = list(selectors.concerns_with_theme(room["session"], org, "time"))
    with pytest.raises(PermissionDenied):
        services.theme_follow_up_save(
            session=room["session"], by=member(other_org, Role.CONSULTANT), word="time",
            label="time", concerns=concerns, action="", response="Ok",
        )  # fmt: skip
    assert not ThemeFollowUp.objects.exists()
