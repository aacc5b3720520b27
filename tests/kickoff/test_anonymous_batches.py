"""Anonymous concerns reach the board in batches written by a timer (programme.anonymous), so
that no transaction id links them to their authors (tests/security/test_xmin.py plays that
attack). The room stays usable meanwhile: the sender sees their concern at once, marked as
theirs and being added; others see it when the batch is written; nothing is written twice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.celery_app import app
from kickoff.models import Concern
from programme import anonymous
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff import test_kickoff as base
from tests.kickoff.test_kickoff import join_url, open_session


@pytest.fixture
def kickoff(org):
    return base.kickoff.__wrapped__(org)


def test_the_sender_sees_their_concern_as_being_added_until_the_batch_is_written(
    org, kickoff, login
):
    consultant = open_session(org, kickoff, login)
    session = kickoff["session"]
    author, neighbour = login(member(org, Role.SELLER)), login(member(org, Role.SELLER))
    sent = author.post(join_url(org, session), {"worry": "My posts will be counted"}, follow=True)
    page = sent.content.decode()
    assert "Your concern is being added" in page
    assert "My posts will be counted" in page and "yours, being added" in page
    assert not Concern.objects.exists()  # the request wrote nothing
    assert "My posts will be counted" not in neighbour.get(join_url(org, session)).content.decode()

    assert anonymous_flush() == 1
    page = author.get(join_url(org, session)).content.decode()
    assert "yours, being added" not in page and "yours · 0" in page
    assert "My posts will be counted" in neighbour.get(join_url(org, session)).content.decode()
    projector = reverse("kickoff-projector", args=[org.slug, session.code])
    assert "My posts will be counted" in consultant.get(projector).content.decode()


def test_a_flush_interrupted_before_forgetting_its_batch_writes_nothing_twice(org, kickoff, login):
    open_session(org, kickoff, login)
    author = login(member(org, Role.SELLER))
    author.post(join_url(org, kickoff["session"]), {"worry": "Quota pressure"})
    # The batch is written but the worker dies before its claim is deleted (in these tests the
    # transaction never commits, so the claim stays): the next flush takes it again.
    assert anonymous_flush() == 1
    author.post(join_url(org, kickoff["session"]), {"worry": "No time"})
    assert anonymous_flush() == 2
    assert sorted(Concern.objects.values_list("worry", flat=True)) == ["No time", "Quota pressure"]


def test_closing_writes_the_queued_concerns_first(org, kickoff, login):
    consultant = open_session(org, kickoff, login)
    session = kickoff["session"]
    login(member(org, Role.SELLER)).post(join_url(org, session), {"worry": "Last words"})
    consultant.post(reverse("kickoff-session-close", args=[org.slug, session.code]),
                    {"confirm": "close"})  # fmt: skip
    assert Concern.objects.filter(session=session, worry="Last words").exists()


def test_the_timer_writes_batches_often_enough_for_a_live_room():
    entry = app.conf.beat_schedule["programme-anonymous-flush"]
    assert entry["task"] == "programme.tasks.anonymous_flush"
    assert entry["schedule"] == anonymous.BATCH_SECONDS <= 30
    assert set(anonymous._writers) == {"concern", "question", "problem"}
