"""Kick-off under load: 300 participants submit concerns and vote at once, against gunicorn.

Starts the production server (gunicorn) on loopback against the configured database (the
embedded one by default), creates a throwaway organisation with 300 signed-in sellers and an
open kick-off, then every seller submits a concern and votes three times, concurrently. It
checks that every accepted submission and vote is stored, then deletes what it created.
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

from bench.gunicorn_server import free_port, gunicorn, signed_in_cookie  # noqa: E402
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

    def post(self, path: str, data: dict[str, str]) -> tuple[int, float]:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf})
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "POST", path, body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Cookie": self.cookie, "Host": "127.0.0.1"},
            )  # fmt: skip
            status = connection.getresponse().status
        except OSError:
            status = 0
        finally:
            connection.close()
        return status, (time.perf_counter() - started) * 1000


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

        with gunicorn(port):
            run(org, session, clients, count, concurrency, tag)
    finally:
        User.objects.filter(email__endswith=f".{tag}@load.example").delete()
        org.delete()


def run(org, session, clients, count, concurrency, tag) -> None:
    join = f"/o/{org.slug}/join/{session.join_code}/"
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        submits = list(
            pool.map(
                lambda i: clients[i].post(join, {"worry": f"Worry {i} of {tag}"}), range(count)
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
                    f"/o/{org.slug}/join/{session.join_code}/concerns/{job[1]}/vote/", {}
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
    print(
        f"submitted={submitted} stored={stored} p99_ms={p99:.0f} rps={len(latencies) / elapsed:.0f}"
    )


if __name__ == "__main__":
    main()
