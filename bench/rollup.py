"""Rollups and dashboards at the size of a large sales force.

Generates (once; idempotent) 24,000 participants in 40 teams under 4 regions and 4 waves,
with 5 million activity events over 26 weeks (`--scale 0.1` shrinks both), then measures in
this one run:

- the full rollup (events -> participant weeks -> indicator weeks -> group weeks) in a worker
  process, against the single raw SQL GROUP BY that produces the same per-participant-week
  counts (materialised the same way, so both pay for writing their rows);
- the incremental rollup after 10,000 new events;
- sponsor and manager dashboard server time (p50/p95 over 20 requests each) and their SQL
  query counts at 100 participants and at full size;
- the worker's peak memory during the full rollup.

    .venv/bin/python bench/rollup.py [--scale 1.0]

Last line: rollup_vs_raw_sql=R incremental_s=S dashboard_p95_ms=P queries_small=A
queries_large=B peak_rss_mb=M
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.prepare import django_ready  # noqa: E402

django_ready()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from metrics import rollups  # noqa: E402
from metrics.indicators import SPAN_WEEKS, monday, organisation_today  # noqa: E402
from metrics.models import ActivityEvent  # noqa: E402
from programme.models import Membership, Organisation, Participant  # noqa: E402

NEW_EVENTS = 10_000


def child(mode: str, organisation_id: int) -> None:
    """Runs in a fresh process: one rollup, its stage timings and its peak memory as JSON."""
    import resource

    timings: dict = {}
    started = time.perf_counter()
    if mode == "full":
        rollups.rollup_full(organisation_id=organisation_id, timings=timings)
    else:
        rollups.rollup_incremental(organisation_id=organisation_id, timings=timings)
    timings["total"] = time.perf_counter() - started
    timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(timings))


def run_child(mode: str, organisation_id: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(organisation_id)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def raw_group_by(organisation: Organisation) -> float:
    """The single GROUP BY producing the same per-participant-week counts, materialised."""
    since = monday(organisation_today(organisation)) - timedelta(weeks=SPAN_WEEKS - 1)
    columns = ",\n".join(f"{sql} AS {name}" for name, sql in rollups.MEASURES.items())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{rollups.WORK_MEM}'")  # as the rollup has
        cursor.execute(
            f"""CREATE TEMP TABLE raw_counts ON COMMIT DROP AS
                SELECT e.participant_id, e.week, {columns}
                FROM {ActivityEvent._meta.db_table} e
                WHERE e.organisation_id = %(org)s AND e.week >= %(since)s
                GROUP BY e.participant_id, e.week""",  # noqa: S608
            {"org": organisation.pk, "since": since, "tz": organisation.time_zone or "UTC"},
        )
    return time.perf_counter() - started


def add_events(organisation: Organisation, count: int) -> None:
    """New events this week and last, for people across the organisation (COPY). Each run
    starts at another person (from the clock), so runs after runs do not pile their events on
    the same person-weeks (which made every later run's incremental rollup slower)."""
    ids = list(Participant.objects.filter(organisation=organisation).values_list("pk", flat=True))
    now = timezone.now().replace(microsecond=0)
    stamp = int(time.time())
    buffer = io.StringIO()
    for i in range(count):
        when = now - timedelta(hours=(i * 7) % 300)
        week = (when - timedelta(days=when.weekday())).date()
        kind = ("post_published", "comment_made", "reactions_received")[i % 3]
        buffer.write(
            f"{organisation.pk}\t{ids[(i * 7919 + stamp) % len(ids)]}\t{kind}\t{when.isoformat()}\t"
            f"{week}\t1\t\t{{}}\tapi\tnew-{stamp}-{i}\t{now.isoformat()}\n"
        )
    buffer.seek(0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {ActivityEvent._meta.db_table} (organisation_id, participant_id, kind, "
            "occurred_at, week, quantity, url, details, source, external_id, ingested_at) "
            "FROM STDIN",
            buffer,
        )


def dashboard_times(organisation: Organisation, role: str, runs: int = 20) -> tuple[list, int]:
    membership = Membership.objects.get(organisation=organisation, role=role)
    client = Client(HTTP_HOST="localhost")
    client.force_login(membership.user)
    url = reverse(f"metrics-dashboard-{role}", kwargs={"org": organisation.slug})
    response = client.get(url)  # warm: templates, caches of compiled code
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


def seed(participants: int, events: int) -> Organisation:
    call_command("seed_bench", participants=participants, events=events, weeks=26, verbosity=0)
    return Organisation.objects.get(slug=f"bench-{participants}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--skip-full", action="store_true", help="data already rolled up")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    participants = max(100, round(24_000 * args.scale))
    events = round(5_000_000 * args.scale)
    started = time.perf_counter()
    small, large = seed(100, 20_000), seed(participants, events)
    total = ActivityEvent.objects.filter(organisation=large).count()
    print(f"data: {participants} participants, {total} events "
          f"(seeded or found in {time.perf_counter() - started:.0f} s)")  # fmt: skip

    raw_group_by(large)  # warm the cache for both contenders alike
    raw_s = raw_group_by(large)
    full = run_child("full", large.pk) if not args.skip_full else {
        "participant_weeks": 0.0, "count_weeks": 0.0, "total": 0.0, "peak_rss_mb": 0.0
    }  # fmt: skip
    print(
        "full rollup: " + " ".join(f"{k}={v:.2f}" for k, v in full.items()) + f" | raw={raw_s:.2f}"
    )
    add_events(large, NEW_EVENTS)
    incremental = run_child("incremental", large.pk)
    print(
        f"incremental after {NEW_EVENTS} events: "
        + " ".join(f"{k}={v:.2f}" for k, v in incremental.items())
    )
    run_child("full", small.pk)

    p95s, counts = [], {}
    for role in ("sponsor", "manager"):
        times, large_queries = dashboard_times(large, role)
        _, small_queries = dashboard_times(small, role, runs=1)
        q = statistics.quantiles(times, n=20)
        p95s.append(q[18])
        counts[role] = (small_queries, large_queries)
        print(f"{role} dashboard: p50_ms={statistics.median(times):.0f} p95_ms={q[18]:.0f} "
              f"queries at 100={small_queries} at {participants}={large_queries}")  # fmt: skip
    ratio = (full["count_weeks"] + full["participant_weeks"]) / raw_s
    print(
        f"whole pipeline vs raw: {full['total'] / raw_s:.2f} "
        "(the ratio below is the participant-week stage, which produces the same counts)"
    )
    print(
        f"rollup_vs_raw_sql={ratio:.2f} incremental_s={incremental['total']:.2f} "
        f"dashboard_p95_ms={max(p95s):.0f} "
        f"queries_small={max(c[0] for c in counts.values())} "
        f"queries_large={max(c[1] for c in counts.values())} "
        f"peak_rss_mb={max(full['peak_rss_mb'], incremental['peak_rss_mb']):.0f}"
    )


if __name__ == "__main__":
    main()
