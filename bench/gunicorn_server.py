"""What the load benchmarks share: the production server (gunicorn) on a free loopback port,
and signed-in session cookies made without the sign-in form (its password hashing is not the
load being measured). Import after django.setup()."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_cookie(user: object) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@contextlib.contextmanager
def gunicorn(
    port: int,
    *,
    workers: int = 4,
    threads: int = 1,
    settings: str = "config.settings",
    cpu_log: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """gunicorn serving config.wsgi on 127.0.0.1:port until the block ends: sync workers (one
    request at a time each), as the production image runs it, two per core. Threads inside a
    worker share one interpreter lock: with 4 workers x 4 threads the kick-off room's p99 was
    2.5-3x its p99 with 4 single-threaded workers, at the same throughput (bench/kickoff_load.py,
    600-700 ms against 226 ms), as a request that needs 3 ms of CPU waits for its neighbours'
    slices. With `cpu_log`,
    each request appends its server-side CPU milliseconds to that file (config/cpu_timing.py;
    read it with `cpu_by_name`)."""
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": settings}  # fmt: skip
    env.pop("SNOWBALL_CPU_LOG", None)
    if cpu_log is not None:
        env["SNOWBALL_CPU_LOG"] = str(cpu_log)
    ready = Path(tempfile.mkdtemp(prefix="bench-gunicorn-"))
    env["BENCH_READY_DIR"] = str(ready)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "-c", "python:bench.gunicorn_ready",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        # Every worker booted and warm (bench/gunicorn_ready.py), then the port answers.
        deadline = time.monotonic() + 60
        while len(list(ready.iterdir())) < workers:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.1)
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(ready, ignore_errors=True)


def cpu_by_name(cpu_log: Path) -> dict[str, list[float]]:
    """The CPU milliseconds each request cost the server, by request name (sorted)."""
    found: dict[str, list[float]] = {}
    if not cpu_log.exists():
        return found
    for line in cpu_log.read_text().splitlines():
        name, cpu_ms, _status = line.split("\t")
        found.setdefault(name, []).append(float(cpu_ms))
    return {name: sorted(values) for name, values in found.items()}


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]
