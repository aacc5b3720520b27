"""An incremental rollup after random changes leaves every rollup table as a full rollup would,
table by table: ParticipantWeek, IndicatorWeek and GroupWeek (organisation, programme, waves,
teams with their sub-teams, and the medians of waves and the organisation).

Generated worlds: a few sellers in nested teams and two waves (some in none), some invited or
trained; a first batch of events over and before the 26-week span, a full rollup, then a
second batch (new events in any week, restated analytics days, connection bursts) and an
incremental run. Then a full rollup must change nothing.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metrics import rollups
from metrics.indicators import SPAN_WEEKS
from metrics.ingest import Event, EventWriter, Summary
from metrics.models import ActivityEvent, GroupWeek, IndicatorWeek, ParticipantWeek
from programme.models import (
    Programme,
    Role,
    SellingStrategy,
    Session,
    SessionAttendance,
    Team,
    Wave,
    WaveMember,
)
from tests.factories import OrganisationFactory, member

TODAY = date(2026, 11, 25)  # a Wednesday: the current week is in progress
EXAMPLES = int(os.environ.get("ROLLUP_EXAMPLES", "15"))

# (source, kind, quantities): what each import path sends.
HAPPENINGS = [
    ("api", "post_published", (1, 2)),
    ("api", "comment_made", (1, 3)),
    ("linkedin_export", "message_sent", (1, 4)),
    ("api", "connection_request_sent", (1, 10, 99, 101, 150)),
    ("quick_log", "message_reply_received", (1, 2)),
    ("api", "comments_received", (1, 3)),
    ("linkedin_analytics", "reactions_received", (0, 1, 5)),
    ("crm", "meeting_booked", (1,)),
    ("crm", "deal_won", (1,)),
]

happening = st.tuples(
    st.integers(0, 5),  # who (modulo the number of people)
    st.integers(0, len(HAPPENINGS) - 1),
    st.integers(0, SPAN_WEEKS + 3),  # weeks ago: some before the span
    st.integers(0, 6),  # weekday
    st.integers(0, 4),  # which quantity
    st.booleans(),  # came through LinkedIn (CRM)
)
person = st.tuples(
    st.integers(0, 3),  # team: none, the region, its first or its second sub-team
    st.integers(0, 2),  # wave: none, 1 or 2
    st.booleans(),  # direct acquisition
    st.booleans(),  # invited
    st.booleans(),  # trained
)
world = st.tuples(
    st.lists(person, min_size=1, max_size=6),
    st.lists(happening, max_size=40),  # the first batch
    st.lists(happening, max_size=25),  # the later batch (incremental)
    st.lists(st.integers(0, 39), max_size=5),  # first-batch analytics days restated later
)


def _moment(zone: ZoneInfo, ago: int, day: int) -> datetime:
    monday = TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=ago)
    return datetime.combine(monday + timedelta(days=day), time(12), tzinfo=zone)


def _write(org, people, specs, name: str, restate: dict[int, int] | None = None) -> None:
    zone = ZoneInfo(org.time_zone)
    writers: dict[str, EventWriter] = {}
    with transaction.atomic():
        for index, (who, what, ago, day, amount, via) in enumerate(specs):
            source, kind, quantities = HAPPENINGS[what]
            quantity = quantities[amount % len(quantities)]
            external = f"{name}-{index}"
            if restate is not None:
                if index not in restate:
                    continue
                quantity, external = restate[index], f"first-{index}"
            writer = writers.setdefault(
                source,
                EventWriter(
                    organisation=org, source=source, summary=Summary(),
                    restate=source == "linkedin_analytics",
                ),
            )  # fmt: skip
            writer.add(Event(
                people[who % len(people)].pk, kind, _moment(zone, ago, day), external,
                quantity=quantity, via_linkedin=via if source == "crm" else None,
            ))  # fmt: skip
        for writer in writers.values():
            writer.flush()


def _tables(org) -> dict[str, list]:
    def rows(model) -> list:
        fields = [f.attname for f in model._meta.fields if f.name != "id"]
        return sorted(model.objects.filter(organisation=org).values_list(*fields))

    return {model.__name__: rows(model) for model in (ParticipantWeek, IndicatorWeek, GroupWeek)}


def _people(org, specs) -> list:
    region = Team.objects.create(organisation=org, name="Region")
    teams = [None, region] + [
        Team.objects.create(organisation=org, name=f"Team {i}", parent=region) for i in range(2)
    ]
    programme = Programme.objects.create(organisation=org, name="P", start_date=date(2026, 1, 5))
    waves = [None] + [
        Wave.objects.create(programme=programme, number=n, start_date=date(2026, 1, 5))
        for n in (1, 2)
    ]
    session = Session.objects.create(
        organisation=org, programme=programme, kind="training", title="Hands-on",
        starts_at=datetime(2026, 10, 1, 9, tzinfo=UTC), duration_minutes=90,
    )  # fmt: skip
    people = []
    for team, wave, direct, invited, trained in specs:
        strategy = SellingStrategy.DIRECT_ACQUISITION if direct else SellingStrategy.CONTENT_LED
        membership = member(org, Role.SELLER, team=teams[team], selling_strategy=strategy)
        if invited:
            membership.invitation_sent_at = datetime(2026, 9, 1, tzinfo=UTC)
            membership.save(update_fields=["invitation_sent_at"])
        who = membership.participant
        if waves[wave] is not None:
            WaveMember.objects.create(programme=programme, wave=waves[wave], participant=who)
        if trained:
            SessionAttendance.objects.create(session=session, participant=who, attended=True)
        people.append(who)
    return people


@pytest.mark.django_db
@settings(max_examples=EXAMPLES)
@given(world=world, zone=st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo"]))
@example(  # a burst of connection requests that later weeks make ordinary, in another team
    world=(
        [(2, 1, False, True, True), (3, 2, True, False, False)],
        [(0, 3, ago, 1, 1, False) for ago in range(13, 26)]
        + [(0, 3, 12, 1, 3, False)]
        + [(1, 0, 3, 2, 0, False), (1, 6, 3, 2, 1, False)],
        [(0, 3, ago, 1, 4, False) for ago in range(12)] + [(1, 4, 0, 0, 0, False)],
        [15],
    ),
    zone="UTC",
)
def test_an_incremental_run_leaves_the_tables_a_full_run_would(world, zone):
    people_specs, first, later, restated = world
    with transaction.atomic():  # every example starts from an empty database
        org = OrganisationFactory(slug="equivalence", time_zone=zone)
        people = _people(org, people_specs)
        _write(org, people, first, "first")
        # The first batch came in a while ago: the incremental run must not simply redo it.
        ActivityEvent.objects.update(ingested_at=F("ingested_at") - timedelta(minutes=10))
        rollups.rollup_full(organisation_id=org.pk, today=TODAY)
        _write(org, people, later, "later")
        analytics = {
            i % len(first): 7 + i
            for i in restated
            if first and HAPPENINGS[first[i % len(first)][1]][0] == "linkedin_analytics"
        }
        _write(org, people, first, "first", restate=analytics)
        rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
        incremental = _tables(org)
        rollups.rollup_full(organisation_id=org.pk, today=TODAY)
        full = _tables(org)
        for name, rows in full.items():
            assert incremental[name] == rows, name
        transaction.set_rollback(True)
