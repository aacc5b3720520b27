"""Weekly rollups: right numbers, set-based, idempotent, incremental, safe to interrupt."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from metrics import rollups
from metrics.ingest import Event, EventWriter, Summary
from metrics.models import EventKind, GroupWeek, IndicatorWeek, ParticipantWeek
from programme.models import Role
from tests.factories import member

TODAY = date(2026, 11, 23)  # a Monday
MONDAY = datetime(2026, 11, 16, 9, tzinfo=UTC)


def write(org, source, events):
    writer = EventWriter(organisation=org, source=source, summary=Summary())
    with transaction.atomic():
        for event in events:
            writer.add(event)
        writer.flush()


def table(org):
    return sorted(
        ParticipantWeek.objects.filter(organisation=org).values_list(
            "id", "participant_id", "week", *rollups.MEASURES
        )
    )


def indicator_tables(org):
    """Every indicator and group row, without ids."""
    fields = [f.name for f in IndicatorWeek._meta.fields if f.name != "id"]
    groups = [f.name for f in GroupWeek._meta.fields if f.name != "id"]
    return (
        sorted(IndicatorWeek.objects.filter(organisation=org).values_list(*fields)),
        sorted(GroupWeek.objects.filter(organisation=org).values_list(*groups)),
    )


@pytest.fixture
def people(org):
    org.time_zone = "UTC"
    org.save()
    a, b = member(org, Role.SELLER), member(org, Role.SELLER)
    write(org, "linkedin_export", [
        Event(a.participant.pk, EventKind.POST_PUBLISHED, MONDAY, "p1"),
        Event(a.participant.pk, EventKind.POST_PUBLISHED, MONDAY + timedelta(days=2), "p2"),
        Event(a.participant.pk, EventKind.CONNECTION_ACCEPTED, MONDAY, "c1", quantity=12),
        Event(a.participant.pk, EventKind.COMMENT_MADE, MONDAY - timedelta(days=7), "m1"),
        Event(b.participant.pk, EventKind.MESSAGE_SENT, MONDAY, "s1"),
    ])  # fmt: skip
    write(org, "crm", [
        Event(a.participant.pk, EventKind.DEAL_WON, MONDAY, "d1", value=Decimal("1000"),
              via_linkedin=True),
        Event(a.participant.pk, EventKind.DEAL_WON, MONDAY, "d2", value=Decimal("500"),
              via_linkedin=False),
    ])  # fmt: skip
    write(org, "quick_log", [
        Event(b.participant.pk, EventKind.MESSAGE_REPLY_RECEIVED, MONDAY, "q1"),
    ])  # fmt: skip
    return a, b


def test_full_rollup_counts_each_week(org, people):
    a, b = people
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    week = ParticipantWeek.objects.get(participant=a.participant, week=date(2026, 11, 16))
    assert (week.posts, week.connections_accepted, week.deals, week.deals_via_linkedin) == (
        2,
        12,
        2,
        1,
    )
    assert week.deal_value == Decimal("1500.00")
    assert week.interactions_tracked is False  # only an export: interactions are unknown
    before = ParticipantWeek.objects.get(participant=a.participant, week=date(2026, 11, 9))
    assert before.comments_made == 1 and before.posts == 0
    other = ParticipantWeek.objects.get(participant=b.participant)
    assert (other.messages_sent, other.replies_received, other.interactions_tracked) == (1, 1, True)


def test_two_runs_leave_identical_rows(org, people):
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    first, indicators_first = table(org), indicator_tables(org)
    assert len(indicators_first[0]) > 0 and len(indicators_first[1]) == 26
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    assert table(org) == first and indicator_tables(org) == indicators_first
    rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
    assert table(org) == first and indicator_tables(org) == indicators_first


def test_incremental_rollup_gives_the_same_indicators_as_a_full_one(org, people):
    a, b = people
    # Long before the incremental run's grid: carried over from the stored weeks, not recounted.
    write(org, "crm", [
        Event(b.participant.pk, EventKind.MEETING_BOOKED, MONDAY - timedelta(weeks=15), "m15",
              via_linkedin=True),
    ])  # fmt: skip
    write(org, "linkedin_export", [
        Event(b.participant.pk, EventKind.COMMENT_MADE, MONDAY - timedelta(weeks=16), "c16"),
    ])  # fmt: skip
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    write(org, "quick_log", [
        Event(a.participant.pk, EventKind.REACTIONS_RECEIVED, MONDAY, "r1", quantity=7),
        Event(b.participant.pk, EventKind.POST_PUBLISHED, MONDAY - timedelta(weeks=5), "p9"),
    ])  # fmt: skip
    rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
    incremental = indicator_tables(org)
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    assert indicator_tables(org) == incremental
    row = IndicatorWeek.objects.get(participant=a.participant, week=date(2026, 11, 16))
    assert row.interactions == 7
    now_b = IndicatorWeek.objects.get(participant=b.participant, week=TODAY)
    assert now_b.meetings_total == 1 and now_b.first_action


def test_an_interrupted_rollup_changes_nothing_and_a_rerun_completes(org, people, monkeypatch):
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    clean, clean_indicators = table(org), indicator_tables(org)
    ParticipantWeek.objects.filter(organisation=org).delete()
    IndicatorWeek.objects.filter(organisation=org).delete()
    GroupWeek.objects.filter(organisation=org).delete()
    real = rollups._begin

    def die_after_lock(cursor, organisation_id):
        real(cursor, organisation_id)
        params = {"org": organisation_id, "since": date(2026, 1, 1)}
        rollups._count_weeks(cursor, params, "e.week >= %(since)s")
        rollups._store_weeks(cursor, params, only_touched=False)
        raise SystemExit("worker killed")  # fmt: skip

    monkeypatch.setattr(rollups, "_begin", die_after_lock)
    with pytest.raises(SystemExit):
        rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    assert table(org) == []  # the transaction rolled back: nothing half-written
    assert indicator_tables(org) == ([], [])
    monkeypatch.setattr(rollups, "_begin", real)
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    assert [row[1:] for row in table(org)] == [row[1:] for row in clean]
    assert indicator_tables(org) == clean_indicators


def test_incremental_rollup_touches_only_new_groups(org, people):
    a, _ = people
    rollups.rollup_incremental(organisation_id=org.pk)
    old_week = ParticipantWeek.objects.get(participant=a.participant, week=date(2026, 11, 9))
    write(org, "linkedin_export", [
        Event(a.participant.pk, EventKind.POST_PUBLISHED, MONDAY + timedelta(days=3), "p3"),
    ])  # fmt: skip
    rollups.rollup_incremental(organisation_id=org.pk)
    assert (
        ParticipantWeek.objects.get(participant=a.participant, week=date(2026, 11, 16)).posts == 3
    )
    unchanged = ParticipantWeek.objects.get(participant=a.participant, week=date(2026, 11, 9))
    assert unchanged.pk == old_week.pk and unchanged.comments_made == 1


def test_rollup_runs_a_fixed_number_of_queries(org, people, count_queries):
    _, b = people

    def queries():
        return count_queries(rollups.rollup_full, organisation_id=org.pk, today=TODAY)

    queries()  # the first run also creates the organisation's rollup state
    few = queries()
    write(org, "api", [
        Event(b.participant.pk, EventKind.REACTIONS_RECEIVED, MONDAY - timedelta(weeks=w), f"r{w}")
        for w in range(20)
    ])  # fmt: skip
    assert queries() == few
    assert ParticipantWeek.objects.filter(participant=b.participant).count() == 20


def test_the_medians_of_a_single_group_kind_still_roll_up(org, people, monkeypatch):
    """The kinds that get medians are bound as one array parameter: a list of one kind must
    work as well as two (a Python tuple's repr, `('wave',)`, is not SQL)."""
    monkeypatch.setattr(rollups, "_MEDIAN_KINDS", ("organisation",))
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    overall = GroupWeek.objects.get(organisation=org, kind="organisation", week=MONDAY.date())
    assert overall.median_active_weeks > 0


def test_incremental_catches_an_import_that_commits_after_the_run_started(org, people):
    from django.db.models import F

    from metrics.models import ActivityEvent, ActivityImport

    a, _ = people
    ActivityEvent.objects.update(ingested_at=F("ingested_at") - timedelta(hours=1))
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    upload = ActivityImport.objects.create(
        organisation=org, kind="linkedin_export", filename="big.zip", status="running"
    )
    before_run = upload.created_at - timedelta(minutes=20)  # uploaded long before the run
    ActivityImport.objects.filter(pk=upload.pk).update(created_at=before_run)
    rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)  # the import is in flight
    # The import commits now, its events stamped with its start, before the run above.
    write(org, "linkedin_export", [
        Event(a.participant.pk, EventKind.POST_PUBLISHED, MONDAY + timedelta(days=1), "late"),
    ])  # fmt: skip
    ActivityEvent.objects.filter(external_id="late").update(ingested_at=before_run)
    ActivityImport.objects.filter(pk=upload.pk).update(status="done")
    rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
    week = ParticipantWeek.objects.get(participant=a.participant, week=date(2026, 11, 16))
    assert week.posts == 3


def _events_statistics():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze, n_mod_since_analyze FROM pg_stat_user_tables "
            "WHERE relname = 'metrics_activityevent'"
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_rollup_right_after_a_large_load_plans_with_fresh_statistics(org):
    """A large import followed at once by a rollup (before autovacuum's next round) planned
    the rollup with statistics that knew none of the new rows: the incremental run of the
    benchmark took minutes instead of a second. The rollup analyses a table whose statistics
    predate most of its rows, and leaves alone one whose statistics are fresh."""
    # Autovacuum, off on the test database (tests/conftest.py), cannot analyse the table
    # between the load and the rollup.
    seller = member(org, Role.SELLER)
    write(org, "api", [
        Event(seller.participant.pk, EventKind.COMMENT_MADE,
              MONDAY - timedelta(hours=i), f"load-{i}")
        for i in range(3000)
    ])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    before = _events_statistics()
    assert before[1] >= 3000  # the load is counted as changes since the last ANALYZE

    rollups.rollup_full(organisation_id=org.pk, today=TODAY)
    analysed_at, changed = _events_statistics()
    assert analysed_at is not None and analysed_at != before[0]
    assert changed == 0

    rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
    assert _events_statistics()[0] == analysed_at  # fresh: not analysed again


def test_the_rollup_tasks_log_each_stage(org, people, caplog):
    """An operator reading the worker's log sees which stage a slow rollup spent its time in."""
    from metrics import tasks

    with caplog.at_level("INFO", logger="metrics.tasks"):
        written = tasks.rollup_full(org.pk)
        tasks.rollup_incremental(org.pk)
    full, incremental = (r.getMessage() for r in caplog.records if r.name == "metrics.tasks")
    assert full.startswith(f"rollup full of organisation {org.pk}: {written} participant-weeks")
    for stage in ("statistics", "count_weeks", "participant_weeks", "indicator_weeks",
                  "group_weeks", "commit"):  # fmt: skip
        assert f" {stage}=" in full or f"({stage}=" in full, full
    assert incremental.startswith(f"rollup incremental of organisation {org.pk}: 0 ")
    assert "touched=" in incremental


def test_a_leaver_counts_in_the_weeks_before_they_left_not_after(org, people):
    """Group weeks count the people still in the programme at each week's end (#18): the
    dashboards' "In the programme" and shares agree with the people list, and a leaver is not
    an "active" or "lapsed" person of the weeks after they left."""
    from programme.models import Membership

    _a, b = people  # b sent a message in the week of 16 November
    left = datetime(2026, 11, 18, 12, tzinfo=UTC)  # the Wednesday of that week
    Membership.objects.filter(pk=b.pk).update(deactivated_at=left, deactivated_by="scim")
    rollups.rollup_full(organisation_id=org.pk, today=TODAY)

    def overall(week: date) -> tuple[int, int]:
        row = GroupWeek.objects.get(organisation=org, kind="organisation", week=week)
        return row.participants, row.active

    assert overall(date(2026, 11, 9)) == (2, 1)  # both still there when that week ended
    assert overall(date(2026, 11, 16)) == (1, 1)  # b left before its end: only a, active
    assert overall(TODAY) == (1, 0)
    # Reactivated: counted again in the running week at the next (incremental) run.
    Membership.objects.filter(pk=b.pk).update(deactivated_at=None, deactivated_by="")
    rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
    assert overall(TODAY) == (2, 0)
