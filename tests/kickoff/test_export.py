"""A session's concerns and counts as CSV: live concerns only (never held or rejected ones),
formula-safe cells, an author's name only when they gave it, for those who read the board."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from kickoff import services
from kickoff.models import Concern, Moderation
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff.test_permission_matrix import BOARD, ROLES

TODAY = timezone.localdate()


@pytest.fixture
def room(org):
    consultant = member(org, Role.CONSULTANT)
    programme = programme_services.programme_save(
        organisation=org, by=consultant, data={"name": "Social selling", "start_date": TODAY},
        sponsors=[], consultants=[consultant],
    )  # fmt: skip
    session = services.kickoff_save(
        programme=programme, by=consultant, attendees=[],
        data={"title": "Kick-off: Lyon & Co", "held_on": TODAY},
    )  # fmt: skip
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    return {"consultant": consultant, "session": session}


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _export(client, org, session):
    return client.get(reverse("kickoff-session-export", args=[org.slug, session.code]))


def test_the_export_has_one_row_per_live_concern_with_its_counts(org, login, room) -> None:
    session, consultant = room["session"], room["consultant"]
    named = member(
        org,
        Role.SELLER,
    )
    named.user.first_name, named.user.last_name = "Ada", "Lovelace"
    named.user.save()
    anonymous_one = services.concern_submit(
        session=session, by=member(org, Role.SELLER), worry="=HYPERLINK(\"http://x\")",
        would_help="-1+1", anonymous=True,
    )  # fmt: skip
    services.concern_submit(
        session=session, by=named, worry="No time", would_help="Protected hours", anonymous=False
    )
    services.concern_submit(
        session=session, by=named, worry="No time either", would_help="", anonymous=True
    )
    services.concern_submit(
        session=session, by=named, worry="Held back", would_help="", anonymous=True
    )
    anonymous_flush()
    Concern.objects.filter(worry="Held back").update(moderation=Moderation.HELD)
    no_time = Concern.objects.get(worry="No time")
    services.concern_merge(
        duplicate=Concern.objects.get(worry="No time either"), into=no_time, by=consultant
    )
    services.concern_categorise(concern=no_time, by=consultant, category="Time")
    for voter in (member(org), member(org)):
        services.concern_vote(concern=no_time, by=voter)
    services.concern_vote(concern=Concern.objects.get(pk=anonymous_one.pk), by=member(org))

    response = _export(login(consultant), org, session)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="kickoff-kick-off-lyon-co-{TODAY.isoformat()}.csv"'
    )
    header, *rows = _rows(response)
    assert header == [
        "What worries me", "What would help", "Category", "Status", "Me too", "Agree",
        "Disagree", "Pass", "Agree share (5 or more took a side)", "Duplicates merged in",
        "Name (only when its author gave it)",
    ]  # fmt: skip
    assert rows == [
        [
            "No time",
            "Protected hours",
            "Time",
            "Recorded",
            "2",
            "0",
            "0",
            "0",
            "",
            "1",
            "Ada Lovelace",
        ],
        ['\'=HYPERLINK("http://x")', "'-1+1", "", "Recorded", "1", "0", "0", "0", "", "0", ""],
    ]


def test_an_empty_session_exports_its_header(org, login, room) -> None:
    rows = _rows(_export(login(room["consultant"]), org, room["session"]))
    assert len(rows) == 1


@pytest.mark.parametrize("role", ROLES)
def test_who_may_export(org, login, room, role) -> None:
    response = _export(login(member(org, role)), org, room["session"])
    assert response.status_code == (200 if role in BOARD else 403)


def test_the_export_runs_a_fixed_number_of_queries(org, login, room, count_queries) -> None:
    session = room["session"]
    client = login(room["consultant"])

    def add(n):
        for i in range(n):
            services.concern_submit(
                session=session, by=member(org), worry=f"W{i}", would_help="", anonymous=i % 2 == 0
            )
        anonymous_flush()

    add(2)
    _export(client, org, session)  # the first request of a sign-in reads a little more
    small = count_queries(_export, client, org, session)
    add(10)
    assert count_queries(_export, client, org, session) == small
