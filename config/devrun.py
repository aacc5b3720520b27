"""`make run`: embedded services first, then migrate, demo data, and web + worker + beat.

honcho runs the Procfile and stops every process on Ctrl-C; the embedded PostgreSQL and Redis
are stopped after it, last, so nothing is left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    env = os.environ.copy()
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("SNOWBALL_PORT", "8000")
    # The Procfile's commands (celery, python) come from this virtualenv.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    uses_embedded = not (env.get("DATABASE_URL") and env.get("REDIS_URL"))
    if uses_embedded:
        print("Starting embedded PostgreSQL and Redis under", embedded.DATA_DIR, flush=True)
        if not env.get("DATABASE_URL"):
            embedded.postgres_socket_dir()
        if not env.get("REDIS_URL"):
            embedded.redis_url()
    try:
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True)
        subprocess.run([*manage, "seed_demo"], env=env, check=True)
        print(
            f"\nSnowball is starting at http://127.0.0.1:{env['SNOWBALL_PORT']}/ "
            "(web, worker and beat below). Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", str(BASE_DIR / "Procfile")],
            env=env,
            cwd=BASE_DIR,
        )
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            # The terminal sent SIGINT to honcho too; give it time to stop its processes.
            try:
                return honcho.wait(timeout=30)
            except subprocess.TimeoutExpired:
                honcho.send_signal(signal.SIGKILL)
                return honcho.wait()
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    finally:
        if uses_embedded:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip this
            embedded.stop_all()
            print("Embedded PostgreSQL and Redis stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
