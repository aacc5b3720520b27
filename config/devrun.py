"""`make run`: embedded services first, then migrate, demo data, and web + worker + beat.

honcho runs the Procfile and stops every process on Ctrl-C; the embedded PostgreSQL and Redis
are stopped after it, last, unless another command (a `make test`) is still using them. A stop
by Ctrl-C is the normal way out: it ends quietly with status 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
INTERRUPTED = {130, -signal.SIGINT, 143, -signal.SIGTERM}
# Marks the web, worker and beat processes of this checkout's `make run`. honcho starts each in
# its own session, so when honcho itself is killed (SIGKILL, a closed terminal) they live on and
# the next `make run` would find its port taken: it stops them first.
RUN_MARK = "SNOWBALL_RUN_DATA_DIR"


def stop_leftover_processes() -> None:
    import psutil

    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    leftovers = []
    for proc in psutil.process_iter():
        if proc.pid in mine:
            continue
        try:
            if proc.environ().get(RUN_MARK) == str(embedded.DATA_DIR):
                leftovers.append(proc)
        except (psutil.Error, OSError):
            continue
    if leftovers:
        print(
            f"Stopping {len(leftovers)} process(es) (web, worker, beat) left running by an "
            "earlier `make run` of this checkout.",
            flush=True,
        )
        embedded.stop_processes(leftovers)


def this_checkouts_only_run():
    """The lock that says a `make run` of this data folder is up (None if another holds it):
    only then are marked processes leftovers of a dead run, not a live run's."""
    import fcntl

    embedded.DATA_DIR.mkdir(parents=True, exist_ok=True)
    handle = open(embedded.DATA_DIR / ".run.lock", "a")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def main() -> int:
    try:
        run_lock = this_checkouts_only_run()
    except OSError as exc:
        print(f"Embedded services: cannot use {embedded.DATA_DIR} ({exc})", file=sys.stderr)
        return 1
    if run_lock is None:
        print(
            f"Another `make run` of this checkout is running (data in {embedded.DATA_DIR}): "
            "stop it first, or give this one its own SNOWBALL_DATA_DIR and SNOWBALL_PORT.",
            file=sys.stderr,
        )
        return 1
    env = os.environ.copy()
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("SNOWBALL_PORT", "8000")
    # Links in e-mails must reach this server, whatever port it listens on.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{env['SNOWBALL_PORT']}")
    # The Procfile's commands (celery, python) come from this virtualenv.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env[RUN_MARK] = str(embedded.DATA_DIR)
    env["SNOWBALL_DATA_DIR"] = str(embedded.DATA_DIR)  # the Procfile's beat keeps its file there
    uses_embedded = not (env.get("DATABASE_URL") and env.get("REDIS_URL"))
    interrupted = False
    stop_leftover_processes()
    try:
        if uses_embedded:
            print("Starting embedded PostgreSQL and Redis under", embedded.DATA_DIR, flush=True)
            embedded.hold()
            if not env.get("DATABASE_URL"):
                embedded.postgres_socket_dir()
            if not env.get("REDIS_URL"):
                embedded.redis_url()
            embedded.repair_beat_schedule()
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        print(
            "Migrating and loading the demo data (the first run takes about two minutes; "
            "later ones a few seconds).",
            flush=True,
        )
        # Their own session: a Ctrl-C stops them through this process (no traceback of theirs).
        quiet = {"env": env, "check": True, "start_new_session": True}
        subprocess.run([sys.executable, "-m", "config.catalogues"], **quiet)
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], **quiet)
        if env.get("SNOWBALL_DEMO", "1") != "0":  # SNOWBALL_DEMO=0: an empty instance
            subprocess.run([*manage, "seed_demo"], **quiet)
        print(
            f"\nSnowball is starting at http://127.0.0.1:{env['SNOWBALL_PORT']}/ "
            "(web, worker and beat below). Press Ctrl-C once to stop everything.\n"
            f"E-mails are not sent: each is one line below and kept whole under "
            f"{embedded.DATA_DIR / 'mail'}.\n",
            flush=True,
        )
        # honcho ignores a hang-up (a closed terminal would kill it before it stops its
        # processes); this process turns one into an orderly stop instead.
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", str(BASE_DIR / "Procfile")],
            env=env,
            cwd=BASE_DIR,
        )
        signal.signal(signal.SIGHUP, lambda *_: honcho.send_signal(signal.SIGTERM))
        # The terminal's Ctrl-C reaches honcho too, which stops its processes; this process
        # only waits for it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            code = honcho.wait()
        except KeyboardInterrupt:
            code = honcho.wait()
        interrupted = code in INTERRUPTED
        return 0 if interrupted else code
    except KeyboardInterrupt:
        interrupted = True
        return 0
    except subprocess.CalledProcessError as exc:
        interrupted = exc.returncode in INTERRUPTED
        return 0 if interrupted else exc.returncode
    except embedded.EmbeddedServicesError as exc:
        print(f"Embedded services: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if uses_embedded:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip this
            if embedded.release():
                print("Embedded PostgreSQL and Redis stopped.", flush=True)
        if interrupted:
            print("Snowball stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
