"""The embedded PostgreSQL and Redis come back after whatever an interrupted stop left behind.

Each test plants one kind of damage in a real embedded data folder (a temporary one, with its own
servers) and runs the next start in a new process, as `make run`, `make test` or any manage.py
command would: the start must succeed, reuse what is healthy, and say in one line what it
repaired. No traceback, ever.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shelve
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("SNOWBALL_TESTING", None)
    return env | {"SNOWBALL_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | extra


def embedded(data_dir: Path, command: str = "start", **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "config.embedded", command], cwd=ROOT, env=_env(data_dir),
        capture_output=True, text=True, timeout=180, **kwargs,
    )  # fmt: skip


def started(data_dir: Path) -> subprocess.CompletedProcess:
    """Start and assert it worked, quietly about anything unexpected."""
    result = embedded(data_dir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result


def postmaster(data_dir: Path) -> psutil.Process:
    pid = int((data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[0])
    return psutil.Process(pid)


def query(data_dir: Path, sql: str = "SELECT 1") -> object:
    import psycopg2

    # The socket folder is the data folder's unless that path is too long for a socket.
    socket_dir = (data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[4]
    conn = psycopg2.connect(dbname="snowball", user="postgres", host=socket_dir)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0] if cur.description else None
    finally:
        conn.close()


def redis_ping(data_dir: Path) -> bool:
    import redis

    return bool(redis.Redis(unix_socket_path=str(data_dir / "redis.sock")).ping())


def _processes_on(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            if (
                str(data_dir) in cmdline
                or (proc.info["name"] == "postgres" and str(data_dir) in proc.cwd())
                or proc.environ().get("SNOWBALL_RUN_DATA_DIR") == str(data_dir)
            ):
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One initialised database folder, copied for each test (initdb takes seconds)."""
    folder = tmp_path_factory.mktemp("embedded-template") / "data"
    started(folder)
    embedded(folder, "stop")
    return folder


@pytest.fixture
def data_dir(template, tmp_path) -> Iterator[Path]:
    folder = tmp_path / "data"
    shutil.copytree(template, folder, symlinks=True)
    yield folder
    embedded(folder, "stop")
    leftovers = _processes_on(folder)
    for proc in leftovers:
        proc.kill()
    psutil.wait_procs(leftovers, timeout=5)


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "[12, ", "not json", "{}"])
def test_an_empty_or_corrupt_pgserver_process_list_is_repaired(data_dir, content):
    """The reported failure: every command died at settings import with JSONDecodeError."""
    (data_dir / "postgres" / ".handle_pids.json").write_text(content)
    result = started(data_dir)
    assert query(data_dir) == 1
    assert not (data_dir / "postgres" / ".handle_pids.json").exists()
    if content in {"", "[12, ", "not json"}:
        assert result.stderr.count("\n") == 1 and ".handle_pids.json" in result.stderr


def test_a_process_list_holding_dead_pids_is_harmless(data_dir):
    (data_dir / "postgres" / ".handle_pids.json").write_text("[999999, 1]")
    started(data_dir)
    assert query(data_dir) == 1


def test_a_healthy_running_server_is_reused_never_started_twice(data_dir):
    started(data_dir)
    first = postmaster(data_dir)
    query(data_dir, "CREATE TABLE kept (id int)")
    again = started(data_dir)
    assert postmaster(data_dir).pid == first.pid
    assert again.stderr == ""  # nothing to repair, nothing said
    assert query(data_dir, "SELECT count(*) FROM kept") == 0
    postmasters = [p for p in _processes_on(data_dir) if p.ppid() != first.pid]
    assert [p.pid for p in postmasters if p.name() == "postgres"] == [first.pid]


def _plant_postmaster_pid(data_dir: Path, pid: int) -> None:
    """A postmaster.pid as a server killed with SIGKILL leaves it, naming `pid`."""
    started(data_dir)
    pid_file = data_dir / "postgres" / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    embedded(data_dir, "stop")
    pid_file.write_text("\n".join([str(pid), *lines[1:]]) + "\n")


def test_a_stale_postmaster_pid_of_a_dead_server_is_removed(data_dir):
    gone = subprocess.Popen(["true"])
    gone.wait()
    _plant_postmaster_pid(data_dir, gone.pid)
    result = started(data_dir)
    assert "stale postmaster.pid" in result.stderr and "no longer running" in result.stderr
    assert query(data_dir) == 1


def test_a_stale_postmaster_pid_whose_pid_another_program_now_uses_is_removed(data_dir):
    """PostgreSQL itself refuses to start then ("Is another postmaster running?")."""
    other = subprocess.Popen(["sleep", "120"])
    try:
        _plant_postmaster_pid(data_dir, other.pid)
        result = started(data_dir)
        assert "belongs to another program (sleep)" in result.stderr
        assert query(data_dir) == 1
        assert other.poll() is None  # the other program is left alone
    finally:
        other.kill()
        other.wait()


def test_an_empty_postmaster_pid_is_removed(data_dir):
    (data_dir / "postgres" / "postmaster.pid").write_text("")
    result = started(data_dir)
    assert "empty or unreadable" in result.stderr
    assert query(data_dir) == 1


def test_a_server_killed_with_sigkill_comes_back_with_its_data(data_dir):
    started(data_dir)
    query(data_dir, "CREATE TABLE survived (id int); INSERT INTO survived VALUES (7)")
    victim = postmaster(data_dir)
    victim.kill()
    victim.wait(10)
    started(data_dir)
    assert query(data_dir, "SELECT id FROM survived") == 7


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5])
def test_a_stop_killed_half_way_leaves_a_folder_the_next_start_accepts(data_dir, delay):
    started(data_dir)
    query(data_dir, "CREATE TABLE before_stop (id int)")
    stopping = subprocess.Popen(
        [PY, "-m", "config.embedded", "stop"], cwd=ROOT, env=_env(data_dir),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(delay)
    stopping.kill()
    stopping.wait()
    started(data_dir)
    assert query(data_dir, "SELECT count(*) FROM before_stop") == 0
    assert redis_ping(data_dir)


def test_a_first_start_killed_during_initdb_leaves_nothing_that_looks_complete(tmp_path):
    """A Ctrl-C during the very first start once left a cluster with no databases in it, and
    every later start waited 90 s for a server that never answered."""
    folder = tmp_path / "fresh"
    first = subprocess.Popen(
        [PY, "-m", "config.embedded", "start"], cwd=ROOT, env=_env(folder),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(folder.glob("postgres.initdb-*/PG_VERSION")):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    first.kill()
    first.wait()
    for proc in _processes_on(folder):  # initdb and its postgres children, as Ctrl-C ends them
        with contextlib.suppress(psutil.NoSuchProcess):  # a child may end between list and kill
            proc.kill()
    try:
        result = started(folder)
        assert "a database creation that was interrupted" in result.stderr
        assert query(folder) == 1
    finally:
        embedded(folder, "stop")


def test_a_start_never_touches_socket_files_outside_its_own_folders(data_dir, tmp_path):
    """A checkout copied while `make run` was up has a postmaster.pid naming the original's
    socket folder: cleaning that would cut the original's database off."""
    victim = tmp_path / "other-checkout-sockets"
    victim.mkdir()
    for name in (".s.PGSQL.5432", ".s.PGSQL.5432.lock"):
        (victim / name).write_text("theirs")
    started(data_dir)
    pid_file = data_dir / "postgres" / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    embedded(data_dir, "stop")
    lines[0], lines[4] = "999999", str(victim)
    pid_file.write_text("\n".join(lines) + "\n")
    started(data_dir)
    assert sorted(p.name for p in victim.iterdir()) == [".s.PGSQL.5432", ".s.PGSQL.5432.lock"]


def test_the_services_stop_even_when_the_disk_is_full(data_dir):
    started(data_dir)
    server = postmaster(data_dir)
    result = embedded(data_dir, "stop", preexec_fn=_full_disk)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert not [p for p in _processes_on(data_dir) if p.status() != psutil.STATUS_ZOMBIE]
    assert not psutil.pid_exists(server.pid) or server.status() == psutil.STATUS_ZOMBIE


def test_a_data_folder_whose_path_holds_a_space(template, tmp_path):
    folder = tmp_path / "my data" / "a b"
    shutil.copytree(template, folder, symlinks=True)
    try:
        started(folder)
        assert query(folder) == 1 and redis_ping(folder)
    finally:
        embedded(folder, "stop")
    assert not [p for p in _processes_on(folder) if p.status() != psutil.STATUS_ZOMBIE]


# --- Redis --------------------------------------------------------------------------------------


def test_a_stale_redis_socket_and_pid_file_are_removed(data_dir):
    data_dir.mkdir(exist_ok=True)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(data_dir / "redis.sock"))  # a socket file nobody listens on
    dead.close()
    gone = subprocess.Popen(["true"])
    gone.wait()
    (data_dir / "redis.pid").write_text(f"{gone.pid}\n")
    result = started(data_dir)
    assert "stale Redis socket" in result.stderr and "stale redis.pid" in result.stderr
    assert redis_ping(data_dir)


def test_a_redis_killed_with_sigkill_is_replaced(data_dir):
    started(data_dir)
    pid = int((data_dir / "redis.pid").read_text())
    psutil.Process(pid).kill()
    psutil.Process(pid).wait(10) if psutil.pid_exists(pid) else None
    started(data_dir)
    assert redis_ping(data_dir)


# --- Celery beat --------------------------------------------------------------------------------


def _repair_beat(data_dir: Path) -> subprocess.CompletedProcess:
    code = "from config import embedded; embedded.repair_beat_schedule()"
    return subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=_env(data_dir), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_a_corrupt_or_foreign_beat_schedule_is_removed_and_a_current_one_kept(data_dir):
    import celery

    schedule = data_dir / "celerybeat-schedule"
    schedule.write_bytes(b"\x00garbage from a killed beat")
    result = _repair_beat(data_dir)
    assert "removed Celery beat's schedule file: unreadable" in result.stderr
    assert not list(data_dir.glob("celerybeat-schedule*"))

    with shelve.open(str(schedule)) as store:  # noqa: S301 - a file this test writes
        store.update({"__version__": "4.4.7", "entries": {}, "tz": "UTC"})
    result = _repair_beat(data_dir)
    assert "written by Celery 4.4.7" in result.stderr
    assert not list(data_dir.glob("celerybeat-schedule*"))

    with shelve.open(str(schedule)) as store:  # noqa: S301 - a file this test writes
        store.update({"__version__": celery.__version__, "entries": {}, "tz": "UTC"})
    result = _repair_beat(data_dir)
    assert result.stderr == "" and list(data_dir.glob("celerybeat-schedule*"))


# --- Disk trouble -------------------------------------------------------------------------------


def _no_traceback_names_folder(result: subprocess.CompletedProcess, folder: Path) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert str(folder) in result.stderr, result.stderr


def test_an_unusable_data_folder_is_named_not_a_traceback(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    folder = blocker / "data"
    _no_traceback_names_folder(embedded(folder), folder)
    # Any Django command (settings import) says the same.
    manage = subprocess.run(
        [PY, "manage.py", "check"], cwd=ROOT, env=_env(folder), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    _no_traceback_names_folder(manage, folder)
    assert "the data folder" in manage.stderr


def _full_disk(limit_bytes: int = 0) -> None:
    """In the child: every write beyond the limit fails, as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))


def test_a_disk_that_refuses_writes_is_named_not_a_traceback(data_dir):
    result = embedded(data_dir, preexec_fn=_full_disk)
    _no_traceback_names_folder(result, data_dir)
    assert "Free some disk space" in result.stderr


def test_a_full_disk_is_named_not_a_traceback(tmp_path):
    """A real full file system where the machine lets us mount one (root in CI)."""
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here; the rlimit test covers the message")
    try:
        with open(mount / "filler", "wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        folder = mount / "data"
        result = embedded(folder)
        _no_traceback_names_folder(result, folder)
        assert "No space left on device" in result.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


# --- Two commands at once -----------------------------------------------------------------------


def test_web_worker_and_beat_starting_at_once_all_get_the_same_servers(data_dir):
    """`make run`'s three processes import the settings at the same moment (a shared probe file
    once made one of them report an unwritable folder)."""
    command = [PY, "-m", "config.embedded", "start"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    starts = [subprocess.Popen(command, cwd=ROOT, env=_env(data_dir), **pipes) for _ in range(4)]
    results = [(*proc.communicate(timeout=180), proc.returncode) for proc in starts]
    assert all(code == 0 for _, _, code in results), results
    assert len({out for out, _, _ in results}) == 1
    assert len([p for p in _processes_on(data_dir) if p.name() == "redis-server"]) == 1


HOLDER = """
import sys
from config import embedded
embedded.hold()
embedded.postgres_socket_dir(); embedded.redis_url()
print("holding", flush=True)
sys.stdin.readline()
print("stopped" if embedded.release() else "left", flush=True)
"""


def _holder(data_dir: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [PY, "-c", HOLDER], cwd=ROOT, env=_env(data_dir), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout.readline().strip() == "holding"
    return proc


def _finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate("\n", timeout=120)
    return out.strip(), err


def test_a_second_command_shares_the_services_and_the_last_one_out_stops_them(data_dir):
    run = _holder(data_dir)  # `make run`
    test = _holder(data_dir)  # a `make test` started beside it
    server = postmaster(data_dir)
    out, err = _finish(run)  # Ctrl-C on `make run` while the tests still run
    assert out == "left" and "another Snowball command is using them" in err
    assert server.status() != psutil.STATUS_ZOMBIE
    assert query(data_dir) == 1 and redis_ping(data_dir)
    out, _ = _finish(test)
    assert out == "stopped"
    assert not psutil.pid_exists(server.pid) or server.status() == psutil.STATUS_ZOMBIE
    assert not (data_dir / "redis.sock").exists()
    assert not [p for p in _processes_on(data_dir) if p.status() != psutil.STATUS_ZOMBIE]


# --- `make run` itself --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _make_run(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "config.devrun"], cwd=ROOT,
        env=_env(data_dir, SNOWBALL_PORT=str(port), SNOWBALL_DEMO="0"),
        stdout=log.open("a"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal gives it
    )  # fmt: skip


def _wait_for_sign_in(
    port: int, run: subprocess.Popen, log: Path, starts: int, timeout: float = 240
) -> None:
    """Wait for this run's web server (the `starts`-th in the log) to serve the sign-in page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert run.poll() is None, log.read_text()[-3000:]
        if log.read_text().count("Snowball is starting at") < starts:
            time.sleep(0.5)
            continue
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
                if r.status == 200 and b"password" in r.read().lower():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("the sign-in page never answered:\n" + log.read_text()[-3000:])


def test_make_run_killed_with_sigkill_starts_again_and_a_ctrl_c_stops_it_quietly(data_dir):
    port, log = _free_port(), data_dir.parent / "make-run.log"
    run = _make_run(data_dir, port, log)
    _wait_for_sign_in(port, run, log, starts=1)
    os.killpg(run.pid, signal.SIGKILL)  # make, devrun, honcho: web, worker and beat live on
    run.wait()

    run = _make_run(data_dir, port, log)
    _wait_for_sign_in(port, run, log, starts=2)
    assert "left running by an earlier `make run`" in log.read_text()

    # Now a crash: everything, the databases included, dies at once.
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    for proc in _processes_on(data_dir):
        proc.kill()
    run = _make_run(data_dir, port, log)
    _wait_for_sign_in(port, run, log, starts=3)

    # A second `make run` of the same checkout says so and leaves the first one alone.
    second = subprocess.run(
        [PY, "-m", "config.devrun"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=_env(data_dir, SNOWBALL_PORT=str(_free_port()), SNOWBALL_DEMO="0"),
    )  # fmt: skip
    assert second.returncode == 1 and "Another `make run` of this checkout" in second.stderr
    _wait_for_sign_in(port, run, log, starts=3)

    before = len(log.read_text())
    os.killpg(run.pid, signal.SIGINT)  # one Ctrl-C
    assert run.wait(timeout=120) == 0
    tail = log.read_text()[before:]
    assert "Traceback" not in tail, tail
    assert "Embedded PostgreSQL and Redis stopped." in tail
    alive = [p for p in _processes_on(data_dir) if p.status() != psutil.STATUS_ZOMBIE]
    assert not alive
