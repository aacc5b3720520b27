"""A real Celery worker process for the fault tests (started, killed with SIGKILL, restarted).

The same app and settings as production, against the test database and the test Redis; only
the broker's visibility timeout is short, so a message whose worker died is handed out again
within seconds instead of an hour (production: CELERY_VISIBILITY_TIMEOUT, see README)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from config.celery_app import app  # noqa: E402

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": float(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

if __name__ == "__main__":
    app.worker_main(
        ["worker", "--pool=solo", "--loglevel=INFO", "--without-mingle", "--without-gossip",
         "--without-heartbeat", "-Q", app.conf.task_default_queue]
    )  # fmt: skip
