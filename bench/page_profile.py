"""Where the load test's pages spend their CPU: each page of bench/load.py, asked in this process
(Django's test client, the whole middleware stack, DEBUG off), timed with the thread's CPU clock
and optionally profiled with cProfile.

    .venv/bin/python bench/page_profile.py [--org bench-4800] [--times 30] [--profile NAME]
                                           [--sort tottime|cumulative] [--lines 40]

Prints per page the CPU milliseconds (median, p95) and the SQL queries of one request; with
--profile, cProfile's top functions for that page (NAME as printed, or "all"). The organisation
is bench-4800 (made by bench/load.py) when it exists, else the demo's.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

from bench.prepare import django_ready  # noqa: E402

django_ready()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from kickoff.models import KickoffSession  # noqa: E402
from programme.models import Membership, Organisation, Role  # noqa: E402
from showcase.models import CaseStudy  # noqa: E402


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def pages(org: Organisation) -> list[tuple[str, Client, str, dict]]:
    people = Membership.objects.filter(organisation=org).select_related("user")
    seller = client_for(
        people.filter(role=Role.SELLER, participant__isnull=False).order_by("pk").first()
    )
    manager = client_for(people.filter(role=Role.MANAGER).order_by("pk").first())
    sponsor = client_for(people.filter(role=Role.SPONSOR).order_by("pk").first())
    case = CaseStudy.objects.filter(
        organisation=org, visibility="organisation", hidden_at__isnull=True
    ).first()
    session = KickoffSession.objects.filter(
        programme__organisation=org, status=KickoffSession.Status.OPEN
    ).first()
    o = f"/o/{org.slug}"
    found = [
        ("showcase feed", seller, f"{o}/showcase/", {}),
        ("showcase search", seller, f"{o}/showcase/search/?q=meeting", {"HTTP_HX_REQUEST": "true"}),
        ("seller dashboard", seller, f"{o}/dashboard/me/", {}),
        ("manager dashboard", manager, f"{o}/dashboard/team/", {}),
        ("sponsor dashboard", sponsor, f"{o}/dashboard/programme/", {}),
        ("home", seller, f"{o}/", {}),
        ("manager feed", manager, f"{o}/showcase/", {}),
    ]
    if case is not None:
        found.append(("case", seller, f"{o}/showcase/{case.code}/", {}))
    if session is not None:
        found.append(("kick-off page", seller, f"{o}/join/{session.join_code}/", {}))
        # What each phone polls while the room changes (no ETag: drawn every time).
        found.append(("kick-off list poll", seller, f"{o}/join/{session.join_code}/",
                      {"HTTP_HX_REQUEST": "true"}))  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", default="")
    parser.add_argument("--times", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--dump", default="", help="also write the profile here (pstats)")
    args = parser.parse_args()
    slug = args.org or (
        "bench-4800" if Organisation.objects.filter(slug="bench-4800").exists() else "acme"
    )
    org = Organisation.objects.get(slug=slug)
    random.seed(1)
    print(f"organisation {slug}, {args.times} requests a page after 3 to warm up")
    # The least CPU of the runs is the steadiest figure on a shared machine (others' work only
    # ever adds to a run's time); the median and p95 say what a request costs here and now.
    print(f"{'page':<22}{'status':>7}{'queries':>8}{'cpu_min':>9}{'cpu_p50':>9}{'cpu_p95':>9}")
    for name, client, path, headers in pages(org):
        for _ in range(3):
            client.get(path, **headers)
        queries: list[str] = []

        def counted(run, sql, *rest, queries=queries):
            queries.append(sql)
            return run(sql, *rest)

        # Counted by a wrapper: Django empties connection.queries when a request starts.
        with connection.execute_wrapper(counted):
            status = client.get(path, **headers).status_code
        # The CPU clock: time waiting for PostgreSQL is not what this looks for.
        profiler = cProfile.Profile(time.thread_time) if args.profile in (name, "all") else None
        spent = []
        for _ in range(args.times):
            if profiler:
                profiler.enable()
            started = time.thread_time()
            client.get(path, **headers)
            spent.append((time.thread_time() - started) * 1000)
            if profiler:
                profiler.disable()
        spent.sort()
        p95 = spent[min(len(spent) - 1, int(len(spent) * 0.95))]
        print(
            f"{name:<22}{status:>7}{len(queries):>8}{spent[0]:>9.1f}"
            f"{statistics.median(spent):>9.1f}{p95:>9.1f}",
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.lines)
            if args.dump:
                profiler.dump_stats(f"{args.dump}.{name.replace(' ', '_')}")


if __name__ == "__main__":
    main()
