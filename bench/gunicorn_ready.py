"""gunicorn settings for the benchmarks (`-c python:bench.gunicorn_ready`): each worker, once it
has loaded (and warmed up) the application, leaves a file in BENCH_READY_DIR, so that a
benchmark starts measuring when every worker serves, not when the port first accepts (the
master binds it before any worker has booted: the first requests then timed the boot)."""

from __future__ import annotations

import os
from pathlib import Path


def post_worker_init(worker: object) -> None:
    folder = os.environ.get("BENCH_READY_DIR")
    if folder:
        (Path(folder) / str(os.getpid())).touch()
