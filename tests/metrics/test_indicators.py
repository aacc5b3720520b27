"""Indicators from the weekly rollups: regularity, quality, warnings, gaming, group counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from metrics import indicators, rollups
from metrics.indicators import Warning
from metrics.models import GroupKind, GroupWeek, IndicatorWeek, ParticipantWeek
from programme.models import Role, Team
from tests.factories import member

TODAY = date(2026, 11, 23)  # a Monday


def weeks_ago(n: int) -> date:
    return TODAY - timedelta(weeks=n)


def put(org, person, ago, **counts):
    ParticipantWeek.objects.create(
        organisation=org, participant=person.participant, week=weeks_ago(ago), **counts
    )


def now(org, person) -> IndicatorWeek | None:
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    return IndicatorWeek.objects.filter(participant=person.participant, week=TODAY).first()


def codes(row) -> list[str]:
    return [code for code, _ in indicators.warnings(row)]


@pytest.fixture
def seller(org):
    return member(org, Role.SELLER)


def test_regular_and_handles_the_skill(org, seller):
    for ago in range(7):
        put(org, seller, ago, posts=1, reactions_received=5, interactions_tracked=True)
    row = now(org, seller)
    assert row.active_weeks == 7 and row.regular and row.quality == 5.0
    assert row.handles_skill and codes(row) == [] and row.streak == 7


def test_five_active_weeks_of_eight_is_not_regular(org, seller):
    for ago in (0, 1, 3, 5, 7):
        put(org, seller, ago, posts=1, reactions_received=5, interactions_tracked=True)
    row = now(org, seller)
    assert row.active_weeks == 5 and not row.regular and not row.handles_skill
    assert row.streak == 2
    assert "1 more active week in 8" in indicators.next_step(row)


def test_posting_weekly_without_interaction_is_about_to_quit(org, seller):
    for ago in range(8):
        put(org, seller, ago, posts=1, interactions_tracked=True,
            reactions_received=4 if ago >= 3 else 0)  # fmt: skip
    row = now(org, seller)
    assert codes(row) == [Warning.ABOUT_TO_QUIT]
    assert "no interaction received in the last 3 weeks" in indicators.warnings(row)[0][1]
    # The week before, interactions had come two weeks earlier: no warning then.
    before = IndicatorWeek.objects.get(participant=seller.participant, week=weeks_ago(1))
    assert not before.about_to_quit


def test_untracked_interactions_are_not_a_false_alarm(org, seller):
    for ago in range(4):
        put(org, seller, ago, posts=1)
    row = now(org, seller)
    assert codes(row) == [Warning.NO_INTERACTION_DATA]
    assert not row.about_to_quit


def test_lapsed_after_three_silent_weeks(org, seller):
    put(org, seller, 5, posts=2)
    put(org, seller, 4, comments_made=1)
    row = now(org, seller)
    assert codes(row) == [Warning.LAPSED]
    never = member(org, Role.SELLER)
    assert now(org, never) is None  # nothing to say: no row, no warning
    assert "Start small" in indicators.next_step(None)


def test_lapsed_remembers_activity_before_the_window(org, seller):
    put(org, seller, 20, posts=1)
    assert codes(now(org, seller)) == [Warning.LAPSED]


def test_connection_burst_is_flagged_and_never_makes_the_skill(org, seller):
    for ago in range(1, 8):
        put(org, seller, ago, connection_requests=10)
    put(org, seller, 0, connection_requests=400)
    row = now(org, seller)
    assert row.gaming and row.active_weeks == 0 and not row.handles_skill
    flagged = IndicatorWeek.objects.filter(participant=seller.participant, gaming=True)
    assert [r.week for r in flagged] == [TODAY]


def test_steady_high_connection_habit_is_not_gaming(org, seller):
    for ago in range(20):
        put(org, seller, ago, connection_requests=150)
    assert not now(org, seller).gaming


def test_direct_acquisition_quality_is_reply_rate(org):
    hunter = member(org, Role.SELLER, selling_strategy="direct_acquisition")
    for ago in range(6):
        put(org, hunter, ago, messages_sent=10, replies_received=2, interactions_tracked=True)
    row = now(org, hunter)
    assert row.quality == pytest.approx(0.2) and row.handles_skill


def test_snowball_counts_meetings_and_deals_cumulatively(org, seller):
    put(org, seller, 30, meetings_via_linkedin=1)  # before the 26-week span still counts
    put(org, seller, 3, meetings_via_linkedin=2, deals_via_linkedin=1)
    row = now(org, seller)
    assert (row.meetings_total, row.deals_total) == (3, 1)


def test_group_weeks_count_people_of_sub_teams(org):
    region = Team.objects.create(organisation=org, name="Region")
    team = Team.objects.create(organisation=org, name="Team", parent=region)
    people = [member(org, Role.SELLER, team=team) for _ in range(3)]
    other = member(org, Role.SELLER, team=region)
    for ago in range(8):
        put(org, people[0], ago, posts=1, reactions_received=9, interactions_tracked=True)
    put(org, people[1], 0, posts=1, interactions_tracked=True)
    put(org, other, 0, connection_requests=3)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    rows = {(g.kind, g.group_id): g for g in GroupWeek.objects.filter(organisation=org, week=TODAY)}
    region_row = rows[GroupKind.TEAM, region.pk]
    team_row = rows[GroupKind.TEAM, team.pk]
    assert (region_row.participants, team_row.participants) == (4, 3)
    assert (region_row.active, team_row.active) == (3, 2)
    assert (region_row.handles_skill, region_row.regular) == (1, 1)
    everyone = rows[GroupKind.ORGANISATION, org.pk]
    assert everyone.participants == 4
    assert everyone.median_active_weeks == 0.5  # 8, 1, 0, 0 (connection requests only)
    assert team_row.median_active_weeks == 0  # medians serve wave and organisation comparisons
    assert GroupWeek.objects.filter(organisation=org, kind=GroupKind.TEAM).count() == 2 * 26


def test_a_parent_cycle_entered_by_hand_does_not_loop(org):
    a = Team.objects.create(organisation=org, name="A")
    b = Team.objects.create(organisation=org, name="B", parent=a)
    Team.objects.filter(pk=a.pk).update(parent=b)
    person = member(org, Role.SELLER, team=a)
    put(org, person, 0, posts=1)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    row = GroupWeek.objects.get(kind=GroupKind.TEAM, group_id=b.pk, week=TODAY)
    assert row.participants == 1
