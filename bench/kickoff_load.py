"""Kick-off under load: 300 participants submit concerns and vote at once, against gunicorn.

Starts the production server (gunicorn) on loopback against the configured database (the
embedded one by default), creates a throwaway organisation with 300 signed-in sellers and an
open kick-off; every seller opens the join page (timed apart), then submits a concern and
votes three times, concurrently (the headline's figures). It checks that every accepted
submission and vote is stored. Then the room watches: every phone
polls the join page's list twice (rendered, then unchanged: 304) and the projector polls its
board 20 times; the server's CPU per kind of request is printed (config/cpu_timing.py). It
deletes what it created.
Figures are measured in this one run on a shared machine: read them as orders of magnitude.

    .venv/bin/python bench/kickoff_load.py [participants] [concurrency]

The last line reads: submitted=N stored=N p99_ms=M rps=R
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.prepare import django_ready  # noqa: E402

django_ready()

from django.utils import timezone  # noqa: E402

from bench.gunicorn_server import (  # noqa: E402
    cpu_by_name,
    free_port,
    gunicorn,
    percentile,
    signed_in_cookie,
)
from kickoff import services as kickoff_services  # noqa: E402
from kickoff.models import Concern  # noqa: E402
from programme import services  # noqa: E402
from programme.anonymous import anonymous_flush  # noqa: E402
from programme.models import Membership, Organisation, Participant, Role, User  # noqa: E402


class Client:
    def __init__(self, port: int, session_key: str) -> None:
        self.port = port
        self.csrf = secrets.token_hex(16)  # a 32-character secret, as Django's cookie holds
        self.cookie = f"sessionid={session_key}; csrftoken={self.csrf}"

    def post(self, path: str, data: dict[str, str], name: str = "") -> tuple[int, float]:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf})
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "POST", path, body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Cookie": self.cookie, "Host": "127.0.0.1", "X-Bench-Name": name},
            )  # fmt: skip
            status = connection.getresponse().status
        except OSError:
            status = 0
        finally:
            connection.close()
        return status, (time.perf_counter() - started) * 1000

    def get(
        self, path: str, name: str, etag: str = "", *, htmx: bool = True
    ) -> tuple[int, float, str]:
        """A poll as htmx sends it (or, `htmx=False`, a page); with `etag`, as If-None-Match.
        Returns the status, the milliseconds and the ETag answered."""
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1", "X-Bench-Name": name}
        if htmx:
            headers["HX-Request"] = "true"
        if etag:
            headers["If-None-Match"] = etag
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status, answered = response.status, response.getheader("ETag") or ""
        except OSError:
            status, answered = 0, ""
        finally:
            connection.close()
        return status, (time.perf_counter() - started) * 1000, answered


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    tag = uuid.uuid4().hex[:8]
    org = Organisation.objects.create(name=f"Load {tag}", slug=f"load-{tag}")
    port = free_port()
    try:
        consultant = services.membership_create(
            organisation=org, email=f"c.{tag}@load.example", role=Role.CONSULTANT, verified=True
        )
        users = User.objects.bulk_create(
            [
                User(email=f"s{i}.{tag}@load.example", password="!")  # noqa: S106 - unusable
                for i in range(count)
            ]
        )
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, role=Role.SELLER) for u in users]
        )
        Participant.objects.bulk_create(
            [Participant(organisation=org, membership=m) for m in memberships]
        )
        programme = services.programme_save(
            organisation=org, by=consultant,
            data={"name": "Load", "start_date": timezone.localdate()},
            sponsors=[], consultants=[consultant],
        )  # fmt: skip
        session = kickoff_services.kickoff_save(
            programme=programme, by=consultant,
            data={"title": "Load", "held_on": timezone.localdate()}, attendees=[],
        )  # fmt: skip
        kickoff_services.kickoff_open(session=session, by=consultant)
        clients = [Client(port, signed_in_cookie(u)) for u in users]
        projector = Client(port, signed_in_cookie(consultant.user))

        with tempfile.TemporaryDirectory() as folder:
            cpu_log = Path(folder) / "cpu.log"
            with gunicorn(port, cpu_log=cpu_log):
                headline = run(org, session, clients, count, concurrency, tag)
                watch(org, session, clients, projector, concurrency)
            show_cpu(cpu_by_name(cpu_log))
        print(headline)
    finally:
        User.objects.filter(email__endswith=f".{tag}@load.example").delete()
        org.delete()


def run(org, session, clients, count, concurrency, tag) -> str:
    """The submissions and votes; returns the headline (the script's last line)."""
    join = f"/o/{org.slug}/join/{session.join_code}/"
    # The room arrives: each phone opens the join page (scanning the QR code does), timed apart
    # from what follows; the first request of each person also stores their organisation in
    # their session, and each server thread opens its database connection.
    with ThreadPoolExecutor(concurrency) as pool:
        opened = sorted(
            ms for _, ms, _ in pool.map(lambda c: c.get(join, "join page", htmx=False), clients)
        )
    print(
        f"join page opened: p50_ms={percentile(opened, 0.5):.0f} "
        f"p99_ms={percentile(opened, 0.99):.0f} max_ms={opened[-1]:.0f}"
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        submits = list(
            pool.map(
                lambda i: clients[i].post(
                    join, {"worry": f"Worry {i} of {tag}"}, "concern submitted"
                ),
                range(count),
            )
        )
    # Anonymous concerns are written by beat's timer task in shuffled batches (programme.anonymous);
    # the bench has no beat, so it plays the timer once before the room votes.
    anonymous_flush()
    concern_ids = [
        str(c) for c in Concern.objects.filter(session=session).values_list("id", flat=True)
    ]
    rng = random.Random(7)
    plan = [(i, concern) for i in range(count) for concern in rng.sample(concern_ids, 3)]
    with ThreadPoolExecutor(concurrency) as pool:
        votes = list(
            pool.map(
                lambda job: clients[job[0]].post(
                    f"/o/{org.slug}/join/{session.join_code}/concerns/{job[1]}/vote/", {}, "me too"
                ),
                plan,
            )
        )
    elapsed = time.perf_counter() - started

    submitted = sum(1 for status, _ in submits if status == 302)
    stored = Concern.objects.filter(session=session).count()
    votes_ok = sum(1 for status, _ in votes if status == 302)
    votes_stored = sum(Concern.objects.filter(session=session).values_list("votes", flat=True))
    latencies = sorted(ms for _, ms in submits + votes)
    errors = sum(1 for status, _ in submits + votes if status != 302)
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"participants={count} concurrency={concurrency} requests={len(latencies)} "
        f"errors={errors} votes_accepted={votes_ok} votes_stored={votes_stored} "
        f"p50_ms={p50:.0f} elapsed_s={elapsed:.1f}"
    )
    for phase, answers in (("submissions", submits), ("votes", votes)):
        spent = sorted(ms for _, ms in answers)
        print(
            f"{phase}: p50_ms={percentile(spent, 0.5):.0f} p99_ms={percentile(spent, 0.99):.0f} "
            f"max_ms={spent[-1]:.0f}"
        )
    rps = len(latencies) / elapsed
    return f"submitted={submitted} stored={stored} p99_ms={p99:.0f} rps={rps:.0f}"


def watch(org, session, clients, projector, concurrency) -> None:
    """The room watching the board once the votes are in: every phone polls the join page's
    list twice (the first answer renders it, the second carries its ETag: nothing changed, so
    304), and the projector polls its concerns 20 times (the first renders, then 304s)."""
    live = f"/o/{org.slug}/join/{session.join_code}/?upto=15"

    def phone(client: Client) -> list[tuple[int, float]]:
        status, ms, etag = client.get(live, "join list poll")
        again = client.get(live, "join list poll, unchanged", etag)
        return [(status, ms), again[:2]]

    with ThreadPoolExecutor(concurrency) as pool:
        polls = [answer for pair in pool.map(phone, clients) for answer in pair]
    board = f"/o/{org.slug}/kickoffs/{session.code}/projector/?sort=votes"
    etag, screens = "", []
    for _ in range(20):
        status, ms, answered = projector.get(board, "projector poll", etag)
        etag = answered or etag
        screens.append((status, ms))
    for title, answers in (("join list polls", polls), ("projector polls", screens)):
        latencies = sorted(ms for _, ms in answers)
        statuses = sorted({status for status, _ in answers})
        not_modified = sum(1 for status, _ in answers if status == 304)
        print(
            f"{title}: requests={len(answers)} statuses={statuses} not_modified={not_modified} "
            f"p50_ms={percentile(latencies, 0.5):.0f} p99_ms={percentile(latencies, 0.99):.0f}"
        )


def show_cpu(cpu: dict[str, list[float]]) -> None:
    """The server's CPU per request (config/cpu_timing.py), by kind of request."""
    print(f"{'server CPU per request':<28}{'requests':>9}{'cpu_p50':>9}{'cpu_p95':>9}")
    for name, values in sorted(cpu.items()):
        print(
            f"{name:<28}{len(values):>9}{percentile(values, 0.5):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}"
        )


if __name__ == "__main__":
    main()
