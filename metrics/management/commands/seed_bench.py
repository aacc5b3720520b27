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

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import ActivityEvent, EventKind
from programme.models import (
    Membership,
    Organisation,
    Participant,
    Programme,
    Role,
    Team,
    User,
    Wave,
    WaveMember,
)

BENCH_PASSWORD = "snowball-bench"  # noqa: S105 - synthetic benchmark accounts

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
        have = ActivityEvent.objects.filter(organisation=org, source="api").count()
        if have >= events:
            self.stdout.write(f"organisation={org.slug} participants={count} events={have} (kept)")
            return
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic data
        kinds, weights = zip(*KINDS, strict=True)
        now = timezone.now().replace(microsecond=0)
        table = ActivityEvent._meta.db_table
        columns = ("organisation_id, participant_id, kind, occurred_at, week, quantity, url, "
                   "details, source, external_id, ingested_at, via_linkedin")  # fmt: skip
        outcomes = {EventKind.MEETING_BOOKED, EventKind.DEAL_WON}
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
                    # Ingested as it happened (a daily sync), not all at once.
                    ingested = min(now - timedelta(hours=1), when + timedelta(hours=6))
                    kind = rng.choices(kinds, weights)[0]
                    buffer.write(
                        f"{org.pk}\t{rng.choice(participant_ids)}\t{kind}\t{when.isoformat()}\t"
                        f"{week}\t1\t\t{{}}\tapi\tbench:{i}\t{ingested.isoformat()}\t"
                        # Most outcomes in the CRM say whether they came through LinkedIn.
                        f"{(rng.random() < 0.6) if kind in outcomes else chr(92) + 'N'}\n"
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
        regions = [
            Team.objects.get_or_create(organisation=org, name=f"Region {i}")[0] for i in range(4)
        ]
        teams = [
            Team.objects.get_or_create(
                organisation=org, name=f"Team {i}", defaults={"parent": regions[i % 4]}
            )[0]
            for i in range(40)
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
        self._waves_and_staff(org, teams, regions)
        return list(Participant.objects.filter(organisation=org).values_list("pk", flat=True))

    def _waves_and_staff(self, org: Organisation, teams: list[Team], regions: list[Team]) -> None:
        """A programme in four waves, and one login per role to look at the dashboards."""
        today = timezone.localdate()
        programme, _ = Programme.objects.get_or_create(
            organisation=org, name="Benchmark programme",
            defaults={"start_date": today - timedelta(weeks=26)},
        )  # fmt: skip
        waves = [
            Wave.objects.get_or_create(
                programme=programme, number=n, defaults={"start_date": programme.start_date}
            )[0]
            for n in range(1, 5)
        ]
        WaveMember.objects.bulk_create(
            [
                WaveMember(programme=programme, wave=waves[pk % 4], participant_id=pk)
                for pk in Participant.objects.filter(organisation=org).values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
        )
        for role in (Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.ADMIN):
            user, created = User.objects.get_or_create(email=f"{role}@{org.slug}.example")
            if created:
                user.set_password(BENCH_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            membership, _ = Membership.objects.get_or_create(
                user=user, organisation=org, defaults={"role": role}
            )
            if role == Role.MANAGER:
                Participant.objects.get_or_create(
                    organisation=org, membership=membership, defaults={"team": regions[0]}
                )
        seller = Participant.objects.filter(organisation=org, team=teams[0]).first()
        if seller is not None:
            seller.membership.user.set_password(BENCH_PASSWORD)
            seller.membership.user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=seller.membership.user,
                email=seller.membership.user.email,
                defaults={"verified": True, "primary": True},
            )
            self.stdout.write(
                f"logins ({BENCH_PASSWORD}): sponsor@{org.slug}.example, "
                f"manager@{org.slug}.example, consultant@{org.slug}.example, "
                f"{seller.membership.user.email}"
            )
