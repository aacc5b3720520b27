"""Demo activity: a few weeks of believable LinkedIn activity for the demo sellers."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from metrics import importers
from metrics.distinctiveness import profiles_compare
from metrics.ingest import Event, EventWriter, Summary
from metrics.models import ActivityEvent, EventKind, EventSource, LinkedInProfileText
from metrics.rollups import rollup_full
from programme.demo import register_demo_seeder
from programme.models import Organisation, Participant, Role
from programme.services import organisation_settings_update

WEEKS = 10


@register_demo_seeder
def seed_activity(organisation: Organisation) -> None:
    if ActivityEvent.objects.filter(organisation=organisation).exists():
        return
    # The demo organisation lets managers see their own people individually (a setting an
    # admin may turn off), so a manager's "About to quit" and "Lapsed" lead to names.
    organisation_settings_update(organisation=organisation, managers_see_individuals=True)
    rng = random.Random(11)  # noqa: S311 - demo data, fixed seed
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sellers = list(
        Participant.objects.filter(
            organisation=organisation, membership__role=Role.SELLER
        ).order_by("pk")[:40]
    )
    summary = Summary()
    writer = EventWriter(
        organisation=organisation, source=EventSource.LINKEDIN_EXPORT, summary=summary
    )
    # What came back (reactions received) is tracked from the analytics export.
    received = EventWriter(
        organisation=organisation, source=EventSource.LINKEDIN_ANALYTICS, summary=summary
    )
    habits = ["regular", "regular", "burst", "quiet", "regular", "lapsing", "silent", "gamer"]
    replies = random.Random(31)  # noqa: S311 - demo data, fixed seed
    with transaction.atomic():
        for index, person in enumerate(sellers):
            # Some are regular, some burst then stop, some never start, one posts into the
            # void, one collects connections: the indicators need all of them.
            habit = habits[index % len(habits)]
            for week in range(WEEKS):
                active = {
                    "regular": rng.random() < 0.9,
                    "burst": week in (0, 1),
                    "quiet": False,
                    "lapsing": week < WEEKS - 4,
                    "silent": True,
                    "gamer": week == WEEKS - 1,
                }[habit]
                if not active:
                    continue
                if habit == "gamer":
                    when = now - timedelta(days=2)
                    writer.add(
                        Event(person.pk, EventKind.CONNECTION_REQUEST_SENT, when,
                              f"demo:{person.pk}:{week}:burst", quantity=180)
                    )  # fmt: skip
                    continue
                for n in range(rng.randint(1, 3)):
                    when = now - timedelta(weeks=WEEKS - week, days=rng.randint(0, 4), hours=n)
                    kind = rng.choice(
                        [EventKind.POST_PUBLISHED, EventKind.COMMENT_MADE, EventKind.MESSAGE_SENT]
                    )
                    writer.add(Event(person.pk, kind, when, f"demo:{person.pk}:{week}:{n}"))
                    silent_now = habit == "silent" and week >= WEEKS - 3
                    # Some private messages get a reply (a direct seller's quality is its
                    # reply rate); a separate generator leaves the rest of the demo unchanged.
                    if kind == EventKind.MESSAGE_SENT and not silent_now and replies.random() < 0.3:
                        writer.add(
                            Event(person.pk, EventKind.MESSAGE_REPLY_RECEIVED,
                                  when + timedelta(days=1), f"demo:{person.pk}:{week}:{n}:reply")
                        )  # fmt: skip
                    if kind == EventKind.POST_PUBLISHED and not silent_now:
                        received.add(
                            Event(person.pk, EventKind.REACTIONS_RECEIVED, when + timedelta(days=1),
                                  f"demo:{person.pk}:{week}:{n}:r", quantity=rng.randint(2, 40))
                        )  # fmt: skip
            if habit == "regular" and index % 4 == 0:
                writer.add(
                    Event(person.pk, EventKind.MEETING_BOOKED, now - timedelta(days=index % 9),
                          f"demo:{person.pk}:meeting", via_linkedin=True)
                )  # fmt: skip
        writer.flush()
        received.flush()
    # One writer's headline for several sellers, as happens: the consultant sees the cluster.
    ghostwritten = (
        "Helping enterprise leaders unlock growth through trusted partnerships | Passionate "
        "about digital transformation and customer success"
    )
    own_words = [
        "I help hospital buyers compare infusion pumps honestly; former ICU nurse.",
        "Cold-chain sensors for Nordic fish farms. Ask me about salmon welfare data.",
        "Planning software for Belgian SMEs that still run on spreadsheets.",
    ]
    LinkedInProfileText.objects.bulk_create(
        [
            LinkedInProfileText(
                participant=person,
                headline=ghostwritten
                if index < 5
                else own_words[index % len(own_words)] + f" ({person})",
            )
            for index, person in enumerate(sellers[:8])
        ],
        ignore_conflicts=True,
    )
    # Dashboards show numbers straight away rather than after the first beat run.
    rollup_full(organisation_id=organisation.pk)
    profiles_compare(organisation_id=organisation.pk)


@register_demo_seeder
def seed_ssi_history(organisation: Organisation) -> None:
    """Ten weeks of SSI readings for the demo sellers, mostly rising, so My activity and My
    progress show the latest SSI with its pillars and the change since the entry before."""
    if ActivityEvent.objects.filter(
        organisation=organisation, kind=EventKind.SSI_SNAPSHOT
    ).exists():
        return
    rng = random.Random(27)  # noqa: S311 - demo data, fixed seed
    today = timezone.localdate()
    sellers = Participant.objects.filter(
        organisation=organisation, membership__role=Role.SELLER
    ).order_by("pk")[:40]
    summary = Summary()
    writer = EventWriter(organisation=organisation, source=EventSource.SSI, summary=summary)
    with transaction.atomic():
        for person in sellers:
            pillars = [Decimal(rng.randint(700, 1400)) / 100 for _ in range(4)]
            for weeks_ago in range(WEEKS - 1, -1, -1):
                # A reading each Monday-ish, the newest a day or two ago.
                day = today - timedelta(weeks=weeks_ago, days=1 + person.pk % 2)
                when = timezone.make_aware(datetime.combine(day, time(9)))
                pillars = [
                    min(Decimal(25), max(Decimal(0), p + Decimal(rng.randint(-40, 90)) / 100))
                    for p in pillars
                ]
                writer.add(
                    importers.ssi_event(
                        person, when, sum(pillars, Decimal(0)),
                        dict(zip(SSI_KEYS, pillars, strict=True)),
                    )
                )  # fmt: skip
        writer.flush()


SSI_KEYS = ("establishbrand", "findpeople", "engageinsights", "buildrelationships")


# --- Authenticity: engagement pods and copy-paste posts (issue #23) ---------------------------

DEMO_PICK = (
    "Proud to share how our new grid-balancing service helped three Nordic utilities cut "
    "outage minutes by a third this winter. Read the full story and get in touch!"
)


@register_demo_seeder
def seed_authenticity(organisation: Organisation) -> None:
    """Three sellers who mostly react to each other's posts, and a marketing pick shared
    verbatim by five others: the consultant's dashboard shows the ring and the copies."""
    from metrics.authenticity import authenticity_compute, post_signatures_store
    from metrics.models import PostSignature

    if PostSignature.objects.filter(organisation=organisation).exists():
        return
    sellers = list(
        Participant.objects.filter(
            organisation=organisation, membership__role=Role.SELLER
        ).order_by("pk")[:8]
    )
    if len(sellers) < 8:
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    writer = EventWriter(
        organisation=organisation, source=EventSource.LINKEDIN_EXPORT, summary=Summary()
    )

    def url(n: int) -> str:
        return f"https://www.linkedin.com/feed/update/urn:li:activity:{7250000000000000000 + n}"

    posts: dict[int, list] = {}
    with transaction.atomic():
        ring = sellers[:3]
        for i, person in enumerate(ring):
            for k in range(2):
                when = now - timedelta(days=20 + k)
                key = f"demo:auth:{person.pk}:post:{k}"
                writer.add(
                    Event(person.pk, EventKind.POST_PUBLISHED, when, key, url=url(10 * i + k))
                )
            others = [j for j in range(3) if j != i]
            # Enough of them to outweigh what else the demo gave (share at least RING_SHARE).
            for k in range(20):
                target = url(10 * others[k % 2] + k % 2)
                kind = EventKind.REACTION_MADE if k % 3 else EventKind.COMMENT_MADE
                writer.add(Event(person.pk, kind, now - timedelta(days=1 + k % 9, hours=k),
                                 f"demo:auth:{person.pk}:{k}", url=target))  # fmt: skip
            writer.add(Event(person.pk, EventKind.REACTION_MADE, now - timedelta(days=3),
                             f"demo:auth:{person.pk}:out", url=url(9000 + i)))  # fmt: skip
        for i, person in enumerate(sellers[3:8]):
            key = f"demo:auth:pick:{i}"
            when = now - timedelta(days=6, hours=i)
            writer.add(Event(person.pk, EventKind.POST_PUBLISHED, when, key, url=url(100 + i)))
            posts[person.pk] = [(key, when, DEMO_PICK)]
        writer.flush()
        for pk, signed in posts.items():
            post_signatures_store(
                organisation_id=organisation.pk, participant_id=pk, posts=signed,
                week_of=writer.week_of,
            )  # fmt: skip
    rollup_full(organisation_id=organisation.pk)
    authenticity_compute(organisation_id=organisation.pk)
