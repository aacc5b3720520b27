"""Celery tasks for activity: thin, idempotent, take ids."""

from __future__ import annotations

from celery import shared_task

from metrics import services


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def activity_import_run(activity_import_id: int) -> None:
    services.activity_import_run(activity_import_id=activity_import_id)
