"""The Celery application. Every periodic schedule is declared here, once."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("snowball")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work (rollups, reminders) is added here by the issues that need it.
app.conf.beat_schedule = {
    "programme-invitations-sweep": {
        # Catches invitations whose send task was lost (e.g. the broker restarted before delivery).
        "task": "programme.tasks.invitations_send_pending",
        "schedule": 15 * 60,
    },
    "metrics-rollup-incremental": {
        # Only participant-weeks touched by events ingested since the last run.
        "task": "metrics.tasks.rollup_all",
        "schedule": 15 * 60,
    },
    "metrics-rollup-full-nightly": {
        # The last 26 weeks recomputed from scratch, at night.
        "task": "metrics.tasks.rollup_all",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"full": True},
    },
    "metrics-profiles-compare-nightly": {
        # Look-alike LinkedIn profiles (hired writers make a sales force look the same).
        "task": "metrics.tasks.profiles_compare_all",
        "schedule": crontab(hour=3, minute=15),
    },
    "metrics-weekly-summaries": {
        # Hourly: each organisation's Monday 07:00 comes at its own hour; sent once per week.
        "task": "metrics.tasks.weekly_summaries_all",
        "schedule": crontab(minute=5),
    },
    "programme-announcements-sweep": {
        # Same safety net for announcement e-mails; the send itself never e-mails anyone twice.
        "task": "programme.tasks.announcements_send_pending",
        "schedule": 15 * 60,
    },
    "programme-notifications": {
        # Hourly: each organisation's daily digest from 07:00 local (one a day per person),
        # and immediate notification e-mails whose task was lost.
        "task": "programme.tasks.notifications_sweep",
        "schedule": crontab(minute=10),
    },
    "programme-data-exports-prune": {
        # A "Download my data" ZIP holds everything about a person: deleted once its link expires.
        "task": "programme.tasks.data_exports_prune",
        "schedule": crontab(minute=40),
    },
    "goals-checkin-reminders": {
        # Hourly: each organisation's Monday 09:00 comes at its own hour; once a week per key
        # result, skipping those checked in during the last six days.
        "task": "goals.tasks.checkin_reminders_all",
        "schedule": crontab(minute=20),
    },
    "programme-anonymous-flush": {
        # Anonymous concerns, questions and problems wait in Redis and are written here, in one
        # shuffled batch, so no transaction id links them to the person who sent them.
        "task": "programme.tasks.anonymous_flush",
        # Every programme.anonymous.BATCH_SECONDS (20): the pages promise "within half a
        # minute". Not read from Django's settings here: this module is imported with the
        # `config` package, before (and without) Django's settings.
        "schedule": 20.0,
    },
    "programme-retention-nightly": {
        # Notifications past NOTIFICATION_RETENTION_DAYS; roster imports' names and messages
        # past IMPORT_DETAILS_RETENTION_DAYS.
        "task": "programme.tasks.retention_apply",
        "schedule": crontab(hour=4, minute=10),
    },
    "metrics-retention-nightly": {
        # Uploads a lost task left behind; activity imports' file names and row messages past
        # IMPORT_DETAILS_RETENTION_DAYS.
        "task": "metrics.tasks.retention_apply",
        "schedule": crontab(hour=4, minute=20),
    },
    "programme-outbox-deliver": {
        # Teams, Slack and webhook messages due (new, or retried with backoff, or left
        # "sending" by a killed worker past its lease). Every 30 s, hardcoded like the flush
        # above: this module must not read Django's settings at import.
        "task": "programme.tasks.outbox_deliver",
        "schedule": 30.0,
    },
}
