"""How the full rollup's cost grows with the events, and that dashboards do not.

Two organisations of the same shape (40 teams under 4 regions, 4 waves, 24,000 people; the
smaller one has one person more so the two stay apart): 1 million and 5 million events over
26 weeks (generated once by `seed_bench`). For each: the full rollup in a fresh worker process
(rows already there, as in the nightly run; the first run writing every row is printed too),
then sponsor and manager dashboard p50/p95 and their SQL query counts.

    .venv/bin/python bench/rollup_growth.py [--scale 1.0]

Last line: growth_ratio=R (time at 5x the events / time at 1x; goal at most 5.5)
dashboard_p95_small_ms=A dashboard_p95_large_ms=B queries_small=C queries_large=D
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rollup import dashboard_times, run_child, seed  # sets Django up
from metrics.models import ActivityEvent


def measure(participants: int, events: int) -> dict:
    started = time.perf_counter()
    organisation = seed(participants, events)
    total = ActivityEvent.objects.filter(organisation=organisation).count()
    print(f"data: {organisation.slug} {total} events (seeded or found in "
          f"{time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    first = run_child("full", organisation.pk)  # writes every row the first time
    full = run_child("full", organisation.pk)  # the nightly run: rows there, few change
    print(f"  first full rollup: {first['total']:.2f} s; nightly full rollup: "
          + " ".join(f"{k}={v:.2f}" for k, v in full.items()), flush=True)  # fmt: skip
    p95s, queries = [], []
    for role in ("sponsor", "manager"):
        times, count = dashboard_times(organisation, role)
        p95 = statistics.quantiles(times, n=20)[18]
        p95s.append(p95)
        queries.append(count)
        print(f"  {role} dashboard: p50_ms={statistics.median(times):.0f} p95_ms={p95:.0f} "
              f"queries={count}", flush=True)  # fmt: skip
    return {"events": total, "full": full["total"], "p95": max(p95s), "queries": max(queries)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    people = max(100, round(24_000 * args.scale))
    small = measure(people + 1, round(1_000_000 * args.scale))
    large = measure(people, round(5_000_000 * args.scale))
    ratio = large["full"] / small["full"]
    print(
        f"events x{large['events'] / small['events']:.2f}: full rollup "
        f"{small['full']:.2f} s -> {large['full']:.2f} s"
    )
    print(
        f"growth_ratio={ratio:.2f} dashboard_p95_small_ms={small['p95']:.0f} "
        f"dashboard_p95_large_ms={large['p95']:.0f} queries_small={small['queries']} "
        f"queries_large={large['queries']}"
    )


if __name__ == "__main__":
    main()
