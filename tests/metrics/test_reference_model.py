"""The rollups against the README's definitions, written again in plain Python
(tests/metrics/reference_model.py): generated histories for a few sellers of a New York and a
Tokyo organisation, on week boundaries in summer and winter time, go through the real import
path (the ingestion API, the analytics XLSX, the CRM CSV), then the real rollups (full, then
incremental after more events, restated analytics days among them), and every person x week x
field must equal the model's.

A few examples here (`make test`); `bench/reference_model.py` runs hundreds
(REFERENCE_EXAMPLES). The explicit examples are the cases an independent check found (a seller
tracked until 12 weeks ago who posts every week with nothing coming back; an analytics day
that is a Monday west of UTC) and a connection burst that later weeks make ordinary.
"""

from __future__ import annotations

import csv
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metrics import rollups, selectors, services
from metrics.importers import import_crm_csv, import_linkedin_analytics
from metrics.indicators import SPAN_WEEKS
from metrics.models import ActivityEvent, IndicatorWeek
from programme.models import Role, SellingStrategy
from tests.factories import OrganisationFactory, member
from tests.metrics import reference_model as model

TODAY = date(2026, 11, 25)  # a Wednesday: the current week is in progress
ZONES = ("America/New_York", "Asia/Tokyo")  # west and east of UTC; New York changes in November
SLOTS = (time(0, 30), time(12, 0), time(23, 30))  # Monday 00:30 and Sunday 23:30 are boundaries
API_KINDS = {
    "post_published": (1, 2),
    "comment_made": (1, 3),
    "message_sent": (1, 4),
    "connection_request_sent": (1, 10, 21, 99, 100, 101, 150),
    "message_reply_received": (1, 2),
    "comments_received": (1, 3),
}
EXAMPLES = int(os.environ.get("REFERENCE_EXAMPLES", "20"))

week_ago = st.integers(0, SPAN_WEEKS - 1)
weekday = st.integers(0, 6)
api_happening = st.sampled_from(sorted(API_KINDS)).flatmap(
    lambda kind: st.tuples(
        st.just("api"), st.just(kind), week_ago, weekday, st.integers(0, len(SLOTS) - 1),
        st.sampled_from(API_KINDS[kind]), st.booleans(),
    )
)  # fmt: skip
analytics_happening = st.tuples(
    st.just("analytics"), week_ago, weekday, st.integers(0, 6), st.booleans()
)
crm_happening = st.tuples(
    st.just("crm"), st.sampled_from(["meeting", "deal"]), week_ago, weekday, st.booleans(),
    st.booleans(),
)  # fmt: skip
seller = st.tuples(
    st.integers(0, len(ZONES) - 1),  # which organisation
    st.booleans(),  # direct acquisition
    st.lists(st.one_of(api_happening, api_happening, analytics_happening, crm_happening),
             max_size=40),
)  # fmt: skip
world = st.lists(seller, min_size=1, max_size=4)

# A seller whose interactions were tracked (analytics) until 12 weeks ago and who has posted
# every week since with nothing coming back: about to quit, never "no interaction data".
SILENT = (
    0, False,
    [("analytics", 12, day, 2, False) for day in range(5)]
    + [("api", "post_published", ago, 2, 1, 1, False) for ago in range(12)],
)  # fmt: skip
# Analytics for a Monday in New York, the first day of the silent window: it is that Monday's,
# not the Sunday before's. And the same in Tokyo.
MONDAYS = [
    (
        org, False,
        [("analytics", 2, 0, 3, False), ("analytics", 9, 0, 4, False)]
        + [("api", "post_published", ago, 2, 1, 1, False) for ago in range(10)],
    )
    for org in (0, 1)
]  # fmt: skip

# Connection requests: 10 a week for 13 weeks, then a burst of 101 with nothing else (a burst
# against a usual week of 10), then later 150 a week: the usual week becomes 55.5, and the old
# week is no burst any more, in the incremental run as in a full one.
BURST = (
    1, False,
    [("api", "connection_request_sent", ago, 1, 1, 10, False) for ago in range(13, 26)]
    + [("api", "connection_request_sent", 12, 1, 1, 101, False)]
    + [("api", "connection_request_sent", ago, 1, 1, 150, True) for ago in range(12)],
)  # fmt: skip


def _day(ago: int, day: int) -> date:
    return model.monday(TODAY) - timedelta(weeks=ago) + timedelta(days=day)


def _write_analytics(path: Path, days: dict[date, int]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ENGAGEMENT"
    sheet.append(["Date", "Impressions", "Engagements"])
    for day, engagements in sorted(days.items()):
        sheet.append([datetime.combine(day, time()), engagements * 10, engagements])
    workbook.save(path)
    return path


def _send(orgs, people, batch: list[tuple], tmp: Path, name: str) -> None:
    """One batch of happenings through the import paths people use."""
    api: dict[int, list[dict]] = {}
    analytics: dict[tuple[int, int], dict[date, int]] = {}
    crm: dict[int, list[list[str]]] = {}
    for index, (person, spec) in enumerate(batch):
        org, membership, _ = people[person]
        zone = ZoneInfo(orgs[org].time_zone)
        if spec[0] == "api":
            _, kind, ago, day, slot, quantity, _later = spec
            moment = datetime.combine(_day(ago, day), SLOTS[slot], tzinfo=zone)
            api.setdefault(org, []).append({
                "external_id": f"{name}-{index}", "email": membership.user.email, "kind": kind,
                "occurred_at": moment.isoformat(), "quantity": quantity,
            })  # fmt: skip
        elif spec[0] == "analytics":
            _, ago, day, engagements, _later = spec
            analytics.setdefault((org, person), {})[_day(ago, day)] = engagements
        else:
            _, kind, ago, day, via, _later = spec
            crm.setdefault(org, []).append([
                membership.user.email, _day(ago, day).isoformat(), kind, "", f"{name}-{index}",
                "yes" if via else "no",
            ])  # fmt: skip
    for org, events in api.items():
        result = services.events_ingest(organisation=orgs[org], events=events)
        assert result.rejected == 0, [r.reason for r in result.results if r.reason]
    for (org, person), days in analytics.items():
        path = _write_analytics(tmp / f"{name}-{person}.xlsx", days)
        summary = import_linkedin_analytics(
            organisation=orgs[org], participant=people[person][1].participant, path=path,
            filename=path.name,
        )  # fmt: skip
        assert summary.errors == []
    for org, rows in crm.items():
        path = tmp / f"{name}-{org}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["email", "date", "kind", "amount", "crm id", "came through linkedin"])
            writer.writerows(rows)
        summary = import_crm_csv(organisation=orgs[org], path=path, filename=path.name)
        assert summary.errors == []


def _expected(orgs, people, batches: list[list[tuple]]) -> dict[int, dict]:
    """The model's rows per participant, from everything sent so far. A later analytics export
    restates a day: its count replaces the earlier one."""
    happenings: dict[int, list[model.Happening]] = {i: [] for i in range(len(people))}
    analytics: dict[int, dict[date, int]] = {i: {} for i in range(len(people))}
    for batch in batches:
        for person, spec in batch:
            zone = ZoneInfo(orgs[people[person][0]].time_zone)
            if spec[0] == "api":
                _, kind, ago, day, slot, quantity, _later = spec
                moment = datetime.combine(_day(ago, day), SLOTS[slot], tzinfo=zone)
                happenings[person].append(model.Happening(kind, "api", moment, quantity))
            elif spec[0] == "analytics":
                _, ago, day, engagements, _later = spec
                analytics[person][_day(ago, day)] = engagements
            else:
                _, kind, ago, day, via, _later = spec
                happenings[person].append(model.Happening(
                    "meeting_booked" if kind == "meeting" else "deal_won", "crm",
                    _day(ago, day), 1, via,
                ))  # fmt: skip
    result = {}
    for person, (org, membership, direct) in enumerate(people):
        stated = [
            model.Happening(kind, "linkedin_analytics", day, quantity)
            for day, engagements in analytics[person].items()
            for kind, quantity in (("reactions_received", engagements),
                                   ("post_impressions", engagements * 10))
        ]  # fmt: skip
        who = model.Person(membership.participant.pk, direct, happenings[person] + stated)
        result[membership.participant.pk] = model.indicator_weeks(
            who, zone=ZoneInfo(orgs[org].time_zone), today=TODAY
        )
    return result


FIELDS = [
    "own_actions", "interactions", "interactions_window", "active", "active_weeks", "streak",
    "regular", "quality", "handles_skill", "tracked", "last_tracked", "about_to_quit", "lapsed",
    "no_interaction_data", "gaming", "first_action", "meetings_total", "deals_total",
]  # fmt: skip


def _compare(expected: dict[int, dict], stage: str) -> None:
    stored: dict[int, dict[date, dict]] = {pid: {} for pid in expected}
    for row in IndicatorWeek.objects.filter(participant_id__in=expected).values(
        "participant_id", "week", *FIELDS
    ):
        stored[row.pop("participant_id")][row.pop("week")] = row
    differences = []
    for pid, weeks in expected.items():
        for week in sorted(set(weeks) | set(stored[pid])):
            want, got = weeks.get(week), stored[pid].get(week)
            if want is None or got is None:
                differences.append(f"{stage} person {pid} week {week}: model row {want is not None}"
                                   f", stored row {got is not None}")  # fmt: skip
                continue
            for name in FIELDS:
                a, b = want[name], got[name]
                same = (a is None and b is None) or (
                    a is not None and b is not None and abs(a - b) < 1e-9
                ) if name == "quality" else a == b  # fmt: skip
                if not same:
                    differences.append(f"{stage} person {pid} week {week} {name}: "
                                       f"model {a!r}, rollup {b!r}")  # fmt: skip
        current = model.monday(TODAY)
        kept = [w for w, row in stored[pid].items() if row["streak"] > 0 or row["regular"]]
        if selectors.regularity_streak(kept, current) != model.regularity_streak(weeks, current):
            differences.append(f"{stage} person {pid}: regularity streak")
    assert not differences, "\n".join(differences[:30])


@pytest.mark.django_db
@settings(max_examples=EXAMPLES)
@given(world=world)
@example(world=[SILENT])
@example(world=MONDAYS)
@example(world=[BURST])
def test_the_rollups_agree_with_the_reference_model(world, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    with transaction.atomic():  # every example starts from an empty database
        orgs = [
            OrganisationFactory(slug=f"ref-{i}", time_zone=zone) for i, zone in enumerate(ZONES)
        ]
        people = []
        for org, direct, _ in world:
            strategy = SellingStrategy.DIRECT_ACQUISITION if direct else SellingStrategy.CONTENT_LED
            people.append((org, member(orgs[org], Role.SELLER, selling_strategy=strategy), direct))
        first = [(i, spec) for i, (_, _, specs) in enumerate(world) for spec in specs
                 if not spec[-1]]  # fmt: skip
        later = [(i, spec) for i, (_, _, specs) in enumerate(world) for spec in specs if spec[-1]]
        _send(orgs, people, first, tmp, "first")
        # The first batch came in a while ago: the incremental run must not simply redo it.
        ActivityEvent.objects.update(ingested_at=F("ingested_at") - timedelta(minutes=10))
        for org in orgs:
            rollups.rollup_full(organisation_id=org.pk, today=TODAY)
        _compare(_expected(orgs, people, [first]), "full")
        _send(orgs, people, later, tmp, "later")
        for org in orgs:
            rollups.rollup_incremental(organisation_id=org.pk, today=TODAY)
        _compare(_expected(orgs, people, [first, later]), "incremental")
        transaction.set_rollback(True)
