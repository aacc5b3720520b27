"""Indicators from the weekly rollups: regularity, quality, warnings, gaming."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from metrics import indicators
from metrics.indicators import Warning
from metrics.models import ParticipantWeek
from programme.models import Role
from tests.factories import member

TODAY = date(2026, 11, 23)


def weeks_ago(n: int) -> date:
    return TODAY - timedelta(weeks=n)


def put(org, person, ago, **counts):
    ParticipantWeek.objects.create(
        organisation=org, participant=person.participant, week=weeks_ago(ago), **counts
    )


def compute(org, *people):
    return indicators.compute(org, [p.participant for p in people], today=TODAY)


@pytest.fixture
def seller(org):
    return member(org, Role.SELLER)


def test_regular_and_handles_the_skill(org, seller):
    for ago in range(7):
        put(org, seller, ago, posts=1, reactions_received=5, interactions_tracked=True)
    result = compute(org, seller)[seller.participant.pk]
    assert result.active_weeks == 7 and result.regular and result.quality == 5.0
    assert result.handles_skill and result.warnings == []


def test_posting_weekly_without_interaction_is_about_to_quit(org, seller):
    for ago in range(8):
        put(org, seller, ago, posts=1, interactions_tracked=True,
            reactions_received=4 if ago >= 3 else 0)  # fmt: skip
    result = compute(org, seller)[seller.participant.pk]
    codes = [code for code, _ in result.warnings]
    assert codes == [Warning.ABOUT_TO_QUIT]
    assert "no interaction received in the last 3" in result.warnings[0][1]


def test_untracked_interactions_are_not_a_false_alarm(org, seller):
    for ago in range(4):
        put(org, seller, ago, posts=1)
    result = compute(org, seller)[seller.participant.pk]
    assert [code for code, _ in result.warnings] == [Warning.NO_INTERACTION_DATA]


def test_lapsed_after_three_silent_weeks(org, seller):
    put(org, seller, 5, posts=2)
    put(org, seller, 4, comments_made=1)
    result = compute(org, seller)[seller.participant.pk]
    assert [code for code, _ in result.warnings] == [Warning.LAPSED]
    never = member(org, Role.SELLER)
    assert compute(org, never)[never.participant.pk].warnings == []


def test_connection_burst_is_flagged_and_never_makes_the_skill(org, seller):
    for ago in range(1, 8):
        put(org, seller, ago, connection_requests=10)
    put(org, seller, 0, connection_requests=400)
    result = compute(org, seller)[seller.participant.pk]
    assert result.gaming_weeks == [weeks_ago(0)]
    assert result.active_weeks == 0 and not result.handles_skill


def test_direct_acquisition_quality_is_reply_rate(org):
    hunter = member(org, Role.SELLER, selling_strategy="direct_acquisition")
    for ago in range(6):
        put(org, hunter, ago, messages_sent=10, replies_received=2, interactions_tracked=True)
    result = compute(org, hunter)[hunter.participant.pk]
    assert result.quality == pytest.approx(0.2) and result.handles_skill


def test_one_query_whatever_the_number_of_people(org, django_assert_num_queries):
    people = [member(org, Role.SELLER) for _ in range(30)]
    for person in people:
        put(org, person, 1, posts=1)
    with django_assert_num_queries(1):
        result = compute(org, *people)
    assert len(result) == 30
