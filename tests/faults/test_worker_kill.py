"""Workers die: a real Celery worker process, on the real Redis broker and the test database, is
killed with SIGKILL in the middle of an activity import, a rollup and a roster import with its
invitations, then a new worker is started. The import completes once or leaves nothing; the
rollup tables are identical to an uninterrupted run; no e-mail is sent twice.

Each scenario runs FAULT_RUNS times (2 in `make test`; `make faults` runs 10 in a row), each
time killing at a different moment."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config.celery_app import app
from metrics import services as metrics_services
from metrics import tasks as metrics_tasks
from metrics.models import (
    ActivityEvent,
    ActivityImport,
    GroupWeek,
    ImportKind,
    IndicatorWeek,
    ParticipantWeek,
    RollupState,
)
from programme import services as programme_services
from programme.models import Membership, Role, RosterImport
from programme.roster import roster_parse
from tests.factories import member

RUNS = range(int(os.environ.get("FAULT_RUNS", "2")))
WORKER = Path(__file__).with_name("worker.py")
BATCH = 50  # EMAIL_BATCH_SIZE in the workers: at most one batch is in flight when one dies


class Worker:
    """`python tests/faults/worker.py` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(WORKER)], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(transactional_db, tmp_path, settings) -> Iterator[Callable[[], Worker]]:
    """Start workers on demand; all are stopped at the end, and their log shown on failure."""
    settings.MEDIA_ROOT = tmp_path / "media"
    db = connection.settings_dict
    env = {
        **os.environ,
        "SNOWBALL_TESTING": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@/{db['NAME']}?host={quote(db['HOST'])}",
        "DATABASE_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",  # environ drops one slash
        "EMAIL_BATCH_SIZE": str(BATCH),
        "FAULT_VISIBILITY_TIMEOUT": "3",
    }
    (tmp_path / "mail").mkdir()
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(env, tmp_path / "worker.log"))
        return started[-1]

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
    log = tmp_path / "worker.log"
    if log.exists():
        print(log.read_text()[-4000:])


def wait_for(condition: Callable[[], object], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def broker_idle() -> bool:
    """No task waiting in the queue and none delivered but unacknowledged."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        return client.llen(app.conf.task_default_queue) == 0 and client.hlen("unacked") == 0


def test_no_task_outlives_the_brokers_visibility_timeout(settings) -> None:
    """Otherwise Redis hands a long task still running to a second worker."""
    app.loader.import_default_modules()
    limits = {
        name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    }
    assert "metrics.tasks.rollup_full" in limits
    assert max(limits.values()) < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


# --- An activity import ---

SHARES = 30_000


@pytest.mark.parametrize("run", RUNS)
def test_an_import_killed_midway_completes_once(workers, org, run) -> None:
    dana = member(org, Role.SELLER)
    lines = [
        f"2024-03-{1 + i % 28:02d} 08:{i // 60 % 60:02d}:{i % 60:02d},"
        f"https://www.linkedin.com/feed/update/urn:li:share:{i}\n"
        for i in range(SHARES)
    ]
    upload = SimpleUploadedFile("Shares.csv", ("Date,ShareLink\n" + "".join(lines)).encode())
    item = metrics_services.activity_import_create(
        organisation=org, uploaded_by=None, participant=dana.participant,
        kind=ImportKind.LINKEDIN_EXPORT, upload=upload,
    )  # fmt: skip
    key = metrics_services.progress_key(item.pk)

    first = workers()
    written = random.choice([1, SHARES // 3, SHARES // 2, SHARES * 4 // 5])
    wait_for(lambda: (cache.get(key) or 0) >= written, "the import to write its rows", 120)
    first.kill()
    item.refresh_from_db()
    assert item.status == ActivityImport.Status.RUNNING
    assert not ActivityEvent.objects.filter(organisation=org).exists(), "half an import"

    second = workers()
    wait_for(lambda: ActivityImport.objects.get(pk=item.pk).finished_at, "the import to finish")
    wait_for(broker_idle, "the broker to have nothing left")
    second.stop()
    item.refresh_from_db()
    assert item.status == ActivityImport.Status.DONE and item.errors == []
    assert item.created_count == SHARES and item.duplicate_count == 0
    assert ActivityEvent.objects.filter(organisation=org).count() == SHARES
    assert item.file.name == ""  # the redelivered task deleted the upload when it finished


# --- A rollup ---


def events_for(org, people: int, per_person: int) -> None:
    """Half a year of varied activity for `people` sellers, written by one INSERT."""
    rows = roster_parse(
        (
            "email,first name,last name,team,role,job role,parent team\n"
            + "".join(
                f"s{i}@acme.example,S,{i},Team {i % 12},seller,seller,Region {i % 12 // 4}\n"
                for i in range(people)
            )
        ).encode()
    ).rows
    programme_services.roster_import_apply(
        roster_import_id=RosterImport.objects.create(
            organisation=org, filename="r.csv", rows=[r.as_dict() for r in rows],
            total_rows=len(rows),
        ).pk
    )  # fmt: skip
    app.control.purge()  # their invitations would change the 'invited' counts mid-test
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ActivityEvent._meta.db_table} (organisation_id, participant_id,
                  kind, occurred_at, week, quantity, url, details, source, external_id,
                  ingested_at)
                SELECT p.organisation_id, p.id,
                  (ARRAY['post_published', 'comment_made', 'reaction_made', 'message_sent',
                         'message_reply_received', 'reactions_received', 'meeting_booked'])
                         [1 + (g * 7 + p.id) %% 7],
                  t.at, date_trunc('week', t.at AT TIME ZONE 'UTC')::date, 1 + g %% 3, '',
                  '{{}}', 'crm', p.id || ':' || g, now()
                FROM programme_participant p, generate_series(1, %s) g,
                  LATERAL (SELECT now() - ((g * 37 + p.id * 11) %% 175) * interval '1 day'
                           AS at) t
                WHERE p.organisation_id = %s AND (g + p.id) %% 5 <> 0""",  # noqa: S608
            [per_person, org.pk],
        )


def rollup_rows(org) -> dict[str, list]:
    """Every rollup row of the organisation, without ids and timestamps."""
    out = {}
    for model in (ParticipantWeek, IndicatorWeek, GroupWeek):
        fields = [f.attname for f in model._meta.fields if f.name != "id"]
        rows = model.objects.filter(organisation=org).values_list(*fields)
        out[model.__name__] = sorted(rows, key=repr)
    return out


def rollup_tables_clear(org) -> None:
    for model in (ParticipantWeek, IndicatorWeek, GroupWeek, RollupState):
        model.objects.filter(organisation=org).delete()


# Statements of the rollup's stages, as the worker's connection shows them while it runs.
STAGES = ["CREATE TEMP TABLE rollup_counts", "INSERT INTO metrics_participantweek",
          "CREATE TEMP TABLE rollup_indicators", "INSERT INTO metrics_indicatorweek",
          "CREATE TEMP TABLE rollup_groups"]  # fmt: skip


def running_statement(marker: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND "
            "state = 'active' AND pid <> pg_backend_pid() AND query LIKE %s",
            [f"%{marker}%"],
        )
        return cursor.fetchone() is not None


@pytest.mark.parametrize("run", RUNS)
def test_a_rollup_killed_midway_ends_as_an_uninterrupted_one(workers, org, run) -> None:
    org.time_zone = "UTC"
    org.save(update_fields=["time_zone"])
    events_for(org, people=3000, per_person=40)
    # The uninterrupted run, by a worker: the expected tables.
    first = workers()
    metrics_tasks.rollup_full.delay(org.pk)
    wait_for(lambda: RollupState.objects.filter(organisation=org).exists(), "the rollup to end")
    wait_for(broker_idle, "the broker to have nothing left")
    expected = rollup_rows(org)
    assert expected["ParticipantWeek"] and expected["GroupWeek"]
    rollup_tables_clear(org)

    # The same rollup, killed while it runs one of its stages, whatever the machine's speed.
    stage = STAGES[run % len(STAGES)]
    metrics_tasks.rollup_full.delay(org.pk)
    wait_for(lambda: running_statement(stage), f"the rollup to reach '{stage}'", timeout=120)
    first.kill()
    assert not RollupState.objects.filter(organisation=org).exists()
    assert rollup_rows(org) == {"ParticipantWeek": [], "IndicatorWeek": [], "GroupWeek": []}

    second = workers()
    wait_for(lambda: RollupState.objects.filter(organisation=org).exists(), "the rollup to end")
    wait_for(broker_idle, "the broker to have nothing left")
    second.stop()
    assert rollup_rows(org) == expected


# --- A roster import and its invitations ---

PEOPLE = 1200


def mailed(folder: Path) -> Counter:
    """Recipients of every e-mail the workers' file backend wrote."""
    found: Counter = Counter()
    for file in folder.iterdir():
        for line in file.read_text(errors="replace").splitlines():
            if line.startswith("To: "):
                found[line.removeprefix("To: ").strip()] += 1
    return found


@pytest.mark.parametrize("run", RUNS)
def test_a_roster_import_killed_anywhere_invites_nobody_twice(
    workers, org, consultant, tmp_path, run
) -> None:
    text = "email,first name,last name,team,role,job role\n" + "".join(
        f"new{i}@acme.example,New,Person {i},Team {i % 9},seller,seller\n" for i in range(PEOPLE)
    )
    roster = programme_services.roster_import_create(
        by=consultant, filename="roster.csv",
        rows=roster_parse(text.encode()).rows,
    )  # fmt: skip
    first = workers()
    wait_for(
        lambda: RosterImport.objects.get(pk=roster.pk).status != RosterImport.Status.QUEUED,
        "the roster import to start",
    )
    time.sleep(random.uniform(0.0, 2.5))  # in the import, or in the invitations after it
    first.kill()

    second = workers()
    invited = Membership.objects.filter(organisation=org, user__email__startswith="new")

    def settled() -> bool:
        done = RosterImport.objects.get(pk=roster.pk).status == RosterImport.Status.DONE
        pending = invited.filter(invitation_sent_at__isnull=True).exists()
        return done and not pending and broker_idle()

    wait_for(settled, "the import and its invitations to finish", timeout=120)
    second.stop()
    roster.refresh_from_db()
    assert roster.created_count == PEOPLE and invited.count() == PEOPLE
    recipients = mailed(tmp_path / "mail")
    assert max(recipients.values()) == 1, "an invitation was sent twice"
    print(f"invitations: {len(recipients)} of {PEOPLE} sent, none twice")
    # A claimed batch dies with its worker: at most one batch is not sent (the beat's sweep
    # cannot tell it from a sent one without risking a second e-mail).
    assert PEOPLE - BATCH <= len(recipients) <= PEOPLE
