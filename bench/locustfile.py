"""The users of bench/load.py (locust). The plan (organisation, cookies, codes, token) comes
from the JSON file named by LOAD_PLAN, written by load.py before it starts locust.

Sellers browse and search the showcase, open cases and their own dashboard and voice concerns
at the open kick-off; managers and sponsors read their dashboards; CRM systems post batches
of events to the ingestion API. People pause LOAD_PAUSE seconds between pages (3-9: reading a
page, choosing the next); the ceiling user asks a view that does nothing, with no pause."""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path

from locust import FastHttpUser, between, constant, task

PAUSE = tuple(float(x) for x in os.environ.get("LOAD_PAUSE", "3-9").split("-"))
PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text()) if "LOAD_PLAN" in os.environ else {}
_seat = itertools.count()


class Person(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(*PAUSE)

    def on_start(self) -> None:
        cookies = PLAN["cookies"][self.role]
        self.cookie = f"sessionid={cookies[next(_seat) % len(cookies)]}"
        self.org = f"/o/{PLAN['org']}"

    def get(self, path: str, name: str, **headers: str) -> None:
        # X-Bench-Name: the server's CPU log (config/cpu_timing.py) files the request under it.
        self.client.get(
            path, name=name, headers={"Cookie": self.cookie, "X-Bench-Name": name, **headers}
        )


class Seller(Person):
    weight = 12
    role = "seller"

    @task(4)
    def feed(self) -> None:
        self.get(f"{self.org}/showcase/", "showcase feed")

    @task(4)
    def search(self) -> None:
        words = " ".join(random.sample(PLAN["words"], random.choice([1, 2])))
        self.get(
            f"{self.org}/showcase/search/?q={words}", "showcase search", **{"HX-Request": "true"}
        )

    @task(3)
    def case(self) -> None:
        self.get(f"{self.org}/showcase/{random.choice(PLAN['cases'])}/", "case")

    @task(2)
    def own_dashboard(self) -> None:
        self.get(f"{self.org}/dashboard/me/", "seller dashboard")

    @task(1)
    def concern(self) -> None:
        join = f"{self.org}/join/{PLAN['join_code']}/"
        self.get(join, "kick-off page")
        self.client.post(
            join, data={"worry": f"Will this eat my selling time? {uuid.uuid4().hex[:6]}",
                        "csrfmiddlewaretoken": PLAN["csrf"]},
            headers={"Cookie": f"{self.cookie}; csrftoken={PLAN['csrf']}",
                     "X-Bench-Name": "concern submitted"},
            name="concern submitted", allow_redirects=False,
        )  # fmt: skip


class Manager(Person):
    weight = 3
    role = "manager"

    @task(3)
    def dashboard(self) -> None:
        self.get(f"{self.org}/dashboard/team/", "manager dashboard")

    @task(1)
    def feed(self) -> None:
        self.get(f"{self.org}/showcase/", "showcase feed")


class Sponsor(Person):
    weight = 1
    role = "sponsor"

    @task
    def dashboard(self) -> None:
        self.get(f"{self.org}/dashboard/programme/", "sponsor dashboard")


class Crm(FastHttpUser):
    """A CRM or marketing tool posting 20 events at a time."""

    weight = 1
    wait_time = between(*PAUSE)

    @task
    def post_events(self) -> None:
        now = datetime.now(UTC).isoformat()
        events = [
            {"external_id": uuid.uuid4().hex, "email": random.choice(PLAN["emails"]),
             "kind": random.choice(["post_published", "comment_made", "reactions_received"]),
             "occurred_at": now}
            for _ in range(20)
        ]  # fmt: skip
        self.client.post(
            "/api/v1/events", json={"events": events}, name="API events (20)",
            headers={"Authorization": f"Bearer {PLAN['token']}", "X-Bench-Name": "API events (20)"},
        )  # fmt: skip


class Ceiling(FastHttpUser):
    wait_time = constant(0)

    @task
    def trivial(self) -> None:
        self.client.get("/trivial/", name="trivial view", headers={"X-Bench-Name": "trivial view"})
