"""Load: 200 simulated people for 60 s against the production server, then the machine's ceiling.

Starts gunicorn (4 sync workers, as the production image runs it) on loopback against the
configured database (the embedded one by default) and drives it with locust in headless mode
(bench/locustfile.py): sellers browse and search the showcase, open cases and their own
dashboard and voice concerns at an open kick-off; managers and sponsors read their dashboards;
a CRM posts batches of 20 events to the ingestion API. People pause 3-9 s between pages
(`--pause`) and arrive 20 a second; figures count from when all have arrived (locust
--reset-stats). The data is the `bench-4800` organisation (4,800 sellers, 400,000 events over
26 weeks, rolled up; made once by `seed_bench`) with at least 300 cases. A second run hammers a
view that does nothing, through the same middleware, with no pause: the most this machine
serves. Locust runs on the same 2 cores as the server, so read the figures as orders of
magnitude.

    .venv/bin/python bench/load.py [--users 200] [--seconds 60] [--pause 3-9]

Per endpoint: requests, failures, p50/p95/p99 ms, requests per second, and the server-side
CPU milliseconds per request (median and p95, config/cpu_timing.py). The last line reads:
errors=E p95_ms=P rps=R rps_vs_trivial=Q page_cpu_p50_ms=C
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.prepare import django_ready  # noqa: E402

django_ready()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.gunicorn_server import (  # noqa: E402
    cpu_by_name,
    free_port,
    gunicorn,
    percentile,
    signed_in_cookie,
)
from kickoff import services as kickoff_services  # noqa: E402
from kickoff.models import Concern, KickoffSession  # noqa: E402
from metrics import services as metrics_services  # noqa: E402
from metrics.models import RollupState  # noqa: E402
from metrics.rollups import rollup_full  # noqa: E402
from programme.anonymous import BATCH_SECONDS, anonymous_flush  # noqa: E402
from programme.models import Membership, Organisation, Programme, Role  # noqa: E402
from showcase import services as showcase_services  # noqa: E402
from showcase.models import CaseStudy  # noqa: E402

PARTICIPANTS = 4800
EVENTS = 400_000
RAMP = 20  # people arriving per second; the figures count from when all have arrived
WORDS = [
    "prospect", "meeting", "comment", "post", "reply", "energy", "utilities", "logistics",
    "insight", "webinar", "customer", "partner", "referral", "trust", "network", "industry",
    "conference", "question",
]  # fmt: skip


def organisation(participants: int = PARTICIPANTS, events: int = EVENTS) -> Organisation:
    """bench-4800 with rollups, 300 cases and an open kick-off (each made once)."""
    slug = f"bench-{participants}"
    if not Organisation.objects.filter(slug=slug).exists():
        print(f"seeding {slug} (once)...", flush=True)
        call_command("seed_bench", participants=participants, events=events, verbosity=0)
    org = Organisation.objects.get(slug=slug)
    if not RollupState.objects.filter(organisation=org).exists():
        rollup_full(organisation_id=org.pk)
    missing = 300 - CaseStudy.objects.filter(organisation=org).count()
    authors = list(
        Membership.objects.filter(organisation=org, role=Role.SELLER)
        .select_related("participant")
        .order_by("pk")[: max(missing, 0)]
    )
    rng = random.Random(4800)
    for membership in authors:
        story = " ".join(rng.choices(WORDS, k=60))
        showcase_services.case_save(
            author=membership.participant,
            data={"kind": "meeting_booked", "title": " ".join(rng.sample(WORDS, 4)).capitalize(),
                  "story": story, "visibility": "organisation", "tags": "load"},
        )  # fmt: skip
    programme = Programme.objects.filter(organisation=org).first()
    if not KickoffSession.objects.filter(
        programme=programme, status=KickoffSession.Status.OPEN
    ).exists():
        consultant = Membership.objects.filter(organisation=org, role=Role.CONSULTANT).first()
        session = kickoff_services.kickoff_save(
            programme=programme, by=consultant,
            data={"title": "Load", "held_on": timezone.localdate()}, attendees=[],
        )  # fmt: skip
        kickoff_services.kickoff_open(session=session, by=consultant)
    return org


def plan(org: Organisation, path: Path) -> dict:
    people = Membership.objects.filter(organisation=org).select_related("user")
    sellers = list(people.filter(role=Role.SELLER).order_by("?")[:150])
    by_role = {"seller": sellers, "manager": list(people.filter(role=Role.MANAGER)),
               "sponsor": list(people.filter(role=Role.SPONSOR))}  # fmt: skip
    admin = people.filter(role=Role.ADMIN).first()
    token, secret = metrics_services.api_token_create(organisation=org, name="load", by=admin)
    session = KickoffSession.objects.filter(
        programme__organisation=org, status=KickoffSession.Status.OPEN
    ).first()
    content = {
        "org": org.slug,
        "cookies": {role: [signed_in_cookie(m.user) for m in ms] for role, ms in by_role.items()},
        "cases": [str(c) for c in CaseStudy.objects.filter(
            organisation=org, visibility="organisation", hidden_at__isnull=True
        ).values_list("code", flat=True)[:300]],
        "join_code": session.join_code,
        "csrf": secrets.token_hex(16),
        "token": secret,
        "emails": [m.user.email for m in sellers],
        "words": WORDS,
    }  # fmt: skip
    path.write_text(json.dumps(content))
    content["token_object"] = token
    content["session"] = session
    return content


def locust(port: int, users: int, seconds: int, classes: list[str], out: Path, env: dict) -> list:
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
         "--headless", "-u", str(users), "-r", str(RAMP), "-t", f"{seconds + users // RAMP}s",
         "--reset-stats",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(out), "--only-summary",
         "--loglevel", "ERROR", *classes],
        env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with open(f"{out}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def show(title: str, rows: list[dict], cpu: dict[str, list[float]]) -> dict:
    """Latencies as locust saw them (ms), then the server's own CPU per request (ms, measured in
    the serving thread by config/cpu_timing.py, ramp-up included)."""
    print(f"\n{title}")
    print(
        f"{'endpoint':<24}{'requests':>9}{'errors':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'rps':>8}"
        f"{'cpu_p50':>9}{'cpu_p95':>9}"
    )
    every = sorted(ms for values in cpu.values() for ms in values)
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        spent = every if name == "ALL" else cpu.get(name, [])
        print(
            f"{name:<24}{row['Request Count']:>9}{row['Failure Count']:>7}{row['50%']:>7}"
            f"{row['95%']:>7}{row['99%']:>7}{float(row['Requests/s']):>8.1f}"
            f"{percentile(spent, 0.5):>9.1f}{percentile(spent, 0.95):>9.1f}"
        )
    return next(row for row in rows if row["Name"] == "Aggregated")


def page_cpu_median(cpu: dict[str, list[float]]) -> float:
    """The median page's CPU: the median over every page request (not the API's posts)."""
    pages = sorted(ms for name, values in cpu.items() if not name.startswith("API")
                   for ms in values)  # fmt: skip
    return percentile(pages, 0.5)


@contextlib.contextmanager
def beat_timer() -> Iterator[None]:
    """What beat does in production, for the run: anonymous concerns are written in batches
    every BATCH_SECONDS (programme.anonymous), so the kick-off's board grows as in a room."""
    stop = threading.Event()

    def flush() -> None:
        while not stop.wait(BATCH_SECONDS):
            anonymous_flush()
        connection.close()

    timer = threading.Thread(target=flush, daemon=True)
    timer.start()
    try:
        yield
    finally:
        stop.set()
        timer.join(timeout=60)
    anonymous_flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--pause", default="3-9", help="seconds between a person's requests")
    # Another organisation's size (bench-N, made once): the test suite's smoke run is tiny.
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    parser.add_argument("--events", type=int, default=EVENTS)
    args = parser.parse_args()
    org = organisation(args.participants, args.events)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        content = plan(org, folder / "plan.json")
        env = {**os.environ, "LOAD_PLAN": str(folder / "plan.json"), "LOAD_PAUSE": args.pause}
        anonymous_flush()  # what earlier runs queued (no beat ran after them)
        concerns_before = Concern.objects.filter(session=content["session"]).count()
        try:
            port = free_port()
            with gunicorn(port, cpu_log=folder / "mixed_cpu.log"), beat_timer():
                mixed = locust(port, args.users, args.seconds, ["Seller", "Manager", "Sponsor",
                               "Crm"], folder / "mixed", env)  # fmt: skip
            port = free_port()
            with gunicorn(port, settings="bench.trivial_site", cpu_log=folder / "ceiling_cpu.log"):
                ceiling = locust(port, args.users, min(30, args.seconds), ["Ceiling"],
                                 folder / "ceiling", env)  # fmt: skip
            with open(folder / "mixed_failures.csv", newline="") as handle:
                failures = list(csv.DictReader(handle))
            mixed_cpu = cpu_by_name(folder / "mixed_cpu.log")
            ceiling_cpu = cpu_by_name(folder / "ceiling_cpu.log")
        finally:
            metrics_services.api_token_revoke(
                token=content["token_object"], by=content["token_object"].created_by
            )
    title = f"Mixed workload: {args.users} people for {args.seconds} s, {args.pause} s pauses"
    total = show(title, mixed, mixed_cpu)
    for failure in failures:
        print(f"  failed {failure['Occurrences']}x {failure['Name']}: {failure['Error'][:120]}")
    trivial = show("Ceiling: a view that does nothing, no pause", ceiling, ceiling_cpu)
    posted = {row["Name"]: int(row["Request Count"]) - int(row["Failure Count"]) for row in mixed}
    stored = Concern.objects.filter(session=content["session"]).count() - concerns_before
    accepted = posted.get("concern submitted", 0)
    print(f"\nconcerns accepted after ramp-up={accepted}, stored in the whole run={stored}")
    rps, ceiling_rps = float(total["Requests/s"]), float(trivial["Requests/s"])
    print(
        f"errors={total['Failure Count']} p95_ms={total['95%']} rps={rps:.0f} "
        f"rps_vs_trivial={rps / ceiling_rps:.2f} page_cpu_p50_ms={page_cpu_median(mixed_cpu):.1f}"
    )


if __name__ == "__main__":
    main()
