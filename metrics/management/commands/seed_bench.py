"""A large organisation with its events, fast (COPY), for the benchmarks of this and later issues.

    python manage.py seed_bench --participants 24000 --weeks 26 --events 2000000

Idempotent: the organisation is 'bench-<participants>'; people are created once and events
are copied through a staging table and inserted with ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import io
import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import ActivityEvent, EventKind
from programme.models import Membership, Organisation, Participant, Role, Team, User

KINDS = [
    (EventKind.POST_PUBLISHED, 18), (EventKind.COMMENT_MADE, 22), (EventKind.REACTION_MADE, 25),
    (EventKind.MESSAGE_SENT, 12), (EventKind.MESSAGE_REPLY_RECEIVED, 6),
    (EventKind.CONNECTION_REQUEST_SENT, 8), (EventKind.REACTIONS_RECEIVED, 7),
    (EventKind.MEETING_BOOKED, 1), (EventKind.DEAL_WON, 1),
]  # fmt: skip
CHUNK = 100_000


class Command(BaseCommand):
    help = "Create a large benchmark organisation and its activity events (COPY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=2000)
        parser.add_argument("--weeks", type=int, default=26)
        parser.add_argument("--events", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: object, **options: object) -> None:
        count, weeks, events = options["participants"], options["weeks"], options["events"]
        started = time.perf_counter()
        org, _ = Organisation.objects.get_or_create(
            slug=f"bench-{count}", defaults={"name": f"Benchmark {count}", "time_zone": "UTC"}
        )
        participant_ids = self._people(org, count)
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic data
        kinds, weights = zip(*KINDS, strict=True)
        now = timezone.now().replace(microsecond=0)
        table = ActivityEvent._meta.db_table
        columns = ("organisation_id, participant_id, kind, occurred_at, week, quantity, url, "
                   "details, source, external_id, ingested_at")  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE bench_events ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            for start in range(0, events, CHUNK):
                buffer = io.StringIO()
                for i in range(start, min(events, start + CHUNK)):
                    when = now - timedelta(seconds=rng.randrange(weeks * 7 * 86400))
                    week = (when - timedelta(days=when.weekday())).date()
                    kind = rng.choices(kinds, weights)[0]
                    buffer.write(
                        f"{org.pk}\t{rng.choice(participant_ids)}\t{kind}\t{when.isoformat()}\t"
                        f"{week}\t1\t\t{{}}\tapi\tbench:{i}\t{now.isoformat()}\n"
                    )
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY bench_events ({columns}) FROM STDIN", buffer)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bench_events "  # noqa: S608
                "ON CONFLICT ON CONSTRAINT event_unique_source_id DO NOTHING"
            )
            created = cursor.rowcount
        self.stdout.write(
            f"organisation={org.slug} participants={count} events_created={created} "
            f"seconds={time.perf_counter() - started:.1f}"
        )

    def _people(self, org: Organisation, count: int) -> list[int]:
        existing = list(Participant.objects.filter(organisation=org).values_list("pk", flat=True))
        if len(existing) >= count:
            return existing[:count]
        teams = [
            Team.objects.get_or_create(organisation=org, name=f"Team {i}")[0] for i in range(40)
        ]
        users = User.objects.bulk_create(
            [
                User(email=f"p{i}@{org.slug}.example", password="!")  # noqa: S106
                for i in range(len(existing), count)
            ],
            ignore_conflicts=True,
        )
        users = list(User.objects.filter(email__endswith=f"@{org.slug}.example"))
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, role=Role.SELLER) for u in users],
            ignore_conflicts=True,
        )
        memberships = Membership.objects.filter(organisation=org, participant__isnull=True)
        Participant.objects.bulk_create(
            [
                Participant(organisation=org, membership=m, team=teams[m.pk % len(teams)])
                for m in memberships
            ]
        )
        return list(Participant.objects.filter(organisation=org).values_list("pk", flat=True))
