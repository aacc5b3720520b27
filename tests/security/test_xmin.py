"""The attack of issue 19, played against the real database: someone who can read the tables
(a database administrator, a backup) links anonymous submissions to their authors through
PostgreSQL's hidden `xmin` column, the id of the transaction that wrote each row.

Three sellers each sign in (which writes a session row that decodes to them) and then send
something anonymously. The attacker takes, for each anonymous row, the session row written
just before it (the largest xmin below the row's) and names its user as the author. When the
request writes the row itself, that guess is right every time; written by the timer in one
shuffled batch, every row carries the same transaction id, so the attack names the same person
for all of them and is right for one at most: it cannot tell them apart."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kickoff import services as kickoff_services
from kickoff.models import Concern, ConcernVote
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Problem, Question, Role
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def xmins(table: str, column: str = "id") -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {column}::text, xmin::text::bigint FROM "{table}"')  # noqa: S608
        return dict(cursor.fetchall())


def attack(rows: dict[str, int]) -> dict[str, int | None]:
    """For each anonymous row, the user whose session row was written just before it."""
    sessions = [
        (xmin, Session.objects.get(session_key=key).get_decoded().get("_auth_user_id"))
        for key, xmin in xmins("django_session", "session_key").items()
    ]
    guesses = {}
    for row, row_xmin in rows.items():
        before = [(xmin, user) for xmin, user in sessions if xmin < row_xmin]
        guesses[row] = int(max(before)[1]) if before else None
    return guesses


@pytest.fixture
def world(org):
    sponsor, consultant = member(org, Role.SPONSOR), member(org, Role.CONSULTANT)
    programme = programme_services.programme_save(
        organisation=org, by=consultant,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[sponsor], consultants=[consultant],
    )  # fmt: skip
    announcement = programme_services.announcement_save(
        programme=programme, author=sponsor, title="Why", body="b", audience="organisation"
    )
    authors = [member(org, Role.SELLER) for _ in range(3)]
    programme_services.announcement_publish(announcement=announcement, publisher=sponsor)
    kickoff = kickoff_services.kickoff_save(
        programme=programme, by=consultant,
        data={"title": "Kick-off", "held_on": timezone.localdate()}, attendees=[],
    )  # fmt: skip
    kickoff_services.kickoff_open(session=kickoff, by=consultant)
    kickoff.refresh_from_db()
    return {"programme": programme, "announcement": announcement, "kickoff": kickoff,
            "authors": authors, "consultant": consultant}  # fmt: skip


def send(org, world, kind: str, client: Client, index: int) -> None:
    if kind == "concern":
        url = reverse("kickoff-join", args=[org.slug, world["kickoff"].join_code])
        data = {"worry": f"Worry {index}"}
    elif kind == "question":
        url = reverse("programme-question-ask", args=[org.slug, world["announcement"].code])
        data = {"body": f"Question {index}", "anonymous": "on"}
    else:
        url = reverse("programme-problem-list", args=[org.slug, world["programme"].code])
        data = {"title": f"Problem {index}", "description": "d", "anonymous": "on"}
    assert client.post(url, data).status_code == 302


ROWS = {
    "concern": (Concern, "kickoff_concern", "worry", "Worry {}"),
    "question": (Question, "programme_question", "body", "Question {}"),
    "problem": (Problem, "programme_problem", "title", "Problem {}"),
}


@pytest.mark.parametrize("kind", ["concern", "question", "problem"])
def test_transaction_ids_do_not_link_an_anonymous_submission_to_its_author(org, world, kind):
    authors = world["authors"]
    for index, author in enumerate(authors):
        client = Client()
        client.force_login(author.user)  # the sign-in writes a session row that names them
        send(org, world, kind, client, index)
    anonymous_flush()  # the timer's batch

    model, table, field, text = ROWS[kind]
    author_of = {}
    for index, author in enumerate(authors):
        row = model.objects.get(**{field: text.format(index)})
        author_of[str(row.pk)] = author.user_id
    rows = {pk: xmin for pk, xmin in xmins(table).items() if pk in author_of}
    assert len(rows) == len(authors)
    guesses = attack(rows)
    right = [pk for pk, user in guesses.items() if user == author_of[pk]]
    assert len(set(rows.values())) == 1, "each anonymous row carries its own transaction id"
    assert len(right) <= 1, f"the xmin attack names the author of {len(right)} of 3"


def test_closing_a_kickoff_leaves_no_vote_dated_on_its_concerns(org, world):
    """A "me too" rewrites its concern's row, stamping it with the vote's transaction id; after
    closing, every concern of the session carries the closing's id and no vote row is left."""
    session, consultant = world["kickoff"], world["consultant"]
    for index in range(3):
        kickoff_services.concern_submit(
            session=session, by=consultant, worry=f"W{index}", would_help="", anonymous=True
        )
    anonymous_flush()
    concerns = list(Concern.objects.filter(session=session))
    for concern, voter in zip(concerns, world["authors"], strict=True):
        kickoff_services.concern_vote(concern=concern, by=voter)
    assert len(set(xmins("kickoff_concern").values())) == 3  # each dated by its vote
    kickoff_services.kickoff_close(session=session, by=consultant)
    assert not ConcernVote.objects.exists()
    assert len(set(xmins("kickoff_concern").values())) == 1
