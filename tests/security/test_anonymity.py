"""Anonymity audit: an anonymous concern, question or problem is submitted through the real
views, and then every row it added or changed anywhere in the database (not only its own
table), and every log line it produced, is searched for the author: their user, membership or
participant id in any column that points at a person, their e-mail or name in any text, the
client IP, or a timestamp of the moment it was sent."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kickoff import services as kickoff_services
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.models import Membership, Participant, Role, User
from tests.factories import member

IP = "198.51.100.23"
# Rows the sign-in itself writes are not about the submission.
NOT_ABOUT_IT = {"django_session"}


def snapshot() -> dict[str, set[str]]:
    tables = connection.introspection.table_names()
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608
            found[table] = {row[0] for row in cursor.fetchall()}
    return found


def person_columns() -> dict[str, dict[str, type]]:
    """For each table, its columns that point at a user, membership or participant."""
    found: dict[str, dict[str, type]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (User, Membership, Participant):
                found.setdefault(model._meta.db_table, {})[field.column] = field.related_model
    return found


def audit(before, after, author: Membership, sent_from: datetime, sent_to: datetime) -> list:
    ids = {User: author.user_id, Membership: author.pk, Participant: author.participant.pk}
    words = [author.user.email, author.user.last_name, str(author.user.code), str(author.code),
             str(author.participant.code), IP]  # fmt: skip
    pointers = person_columns()
    problems = []
    for table, rows in after.items():
        if table in NOT_ABOUT_IT:
            continue
        for raw in rows - before.get(table, set()):
            row = json.loads(raw)
            for column, model in pointers.get(table, {}).items():
                if row.get(column) == ids[model]:
                    problems.append(f"{table}.{column} points at the author")
            for column, value in row.items():
                if isinstance(value, str):
                    problems += [
                        f"{table}.{column} holds {word!r}" for word in words if word in value
                    ]
                    try:
                        moment = datetime.fromisoformat(value)
                    except ValueError:
                        continue
                    if moment.tzinfo and sent_from <= moment <= sent_to:
                        problems.append(f"{table}.{column} holds the moment it was sent")
    return problems


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
    author = member(org, Role.SELLER)  # in the audience: joined before publication
    programme_services.announcement_publish(announcement=announcement, publisher=sponsor)
    kickoff = kickoff_services.kickoff_save(
        programme=programme, by=consultant,
        data={"title": "Kick-off", "held_on": timezone.localdate()}, attendees=[],
    )  # fmt: skip
    kickoff_services.kickoff_open(session=kickoff, by=consultant)
    kickoff.refresh_from_db()
    return {"programme": programme, "announcement": announcement, "kickoff": kickoff,
            "author": author}  # fmt: skip


def submissions(org, world):
    return {
        "concern": (
            reverse("kickoff-join", args=[org.slug, world["kickoff"].join_code]),
            {"worry": "I will look silly posting", "would_help": "Practice in pairs"},
        ),
        "question": (
            reverse("programme-question-ask", args=[org.slug, world["announcement"].code]),
            {"body": "Will this be used to rate us?", "anonymous": "on"},
        ),
        "problem": (
            reverse("programme-problem-list", args=[org.slug, world["programme"].code]),
            {"title": "No time", "description": "Quotas leave no time.", "anonymous": "on"},
        ),
    }


@pytest.mark.parametrize("kind", ["concern", "question", "problem"])
def test_nothing_stored_or_logged_identifies_an_anonymous_author(org, login, world, caplog, kind):
    author = world["author"]
    client = login(author)
    url, data = submissions(org, world)[kind]
    client.get(url)  # joining the page (e.g. the kick-off) is not the submission
    before = snapshot()
    caplog.set_level(logging.DEBUG)
    sent_from = timezone.now() - timedelta(seconds=1)
    response = client.post(url, data, REMOTE_ADDR=IP)
    sent_to = timezone.now() + timedelta(seconds=1)
    assert response.status_code == 302
    assert snapshot() == before  # the request itself writes nothing: the timer writes it
    anonymous_flush()
    after = snapshot()
    added = sum(len(after[t] - before.get(t, set())) for t in after if t not in NOT_ABOUT_IT)
    assert added >= 1  # the submission itself is there
    assert audit(before, after, author, sent_from, sent_to) == []
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    for word in (author.user.email, IP, str(author.user.code)):
        assert word not in logged


def test_the_audit_finds_a_named_submission(org, login, world):
    """The same audit, on a question asked with a name: it must find the author, or it could
    never fail."""
    author = world["author"]
    client = login(author)
    url = reverse("programme-question-ask", args=[org.slug, world["announcement"].code])
    before = snapshot()
    sent_from = timezone.now() - timedelta(seconds=1)
    assert client.post(url, {"body": "Named question"}, REMOTE_ADDR=IP).status_code == 302
    found = audit(before, snapshot(), author, sent_from, timezone.now() + timedelta(seconds=1))
    assert any("points at the author" in problem for problem in found)
