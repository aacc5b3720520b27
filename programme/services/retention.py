"""Retention: what the programme app keeps only for a while (README "Privacy").

- In-app notifications (and the daily digests that carried them) go after
  NOTIFICATION_RETENTION_DAYS (default 180).
- A finished roster import keeps its counts; its file name and error message go after
  IMPORT_DETAILS_RETENTION_DAYS (default 90). Its rows (names, e-mail addresses) are dropped
  the moment it finishes (roster_import_apply).

Run nightly by beat (programme.tasks.retention_apply). Each step deletes or blanks only what is
past its date and not yet pruned, so a second run, or a run after a crash, changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from programme.models import DailyDigest, Notification, RosterImport

BATCH = 5000  # rows per DELETE: a year of notifications never holds one long lock


@dataclass
class ProgrammePruned:
    notifications: int = 0
    digests: int = 0
    roster_details: int = 0


def _delete_in_batches(queryset) -> int:
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]


def retention_apply(*, now: datetime | None = None) -> ProgrammePruned:
    now = now or timezone.now()
    result = ProgrammePruned()
    notifications_before = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    result.notifications = _delete_in_batches(
        Notification.objects.filter(created_at__lt=notifications_before)
    )
    # A digest whose notifications are all gone says only that an e-mail went out that day.
    result.digests = _delete_in_batches(
        DailyDigest.objects.filter(created_at__lt=notifications_before, notifications=None)
    )
    details_before = now - timedelta(days=settings.IMPORT_DETAILS_RETENTION_DAYS)
    result.roster_details = (
        RosterImport.objects.filter(finished_at__lt=details_before)
        .filter(~Q(filename="") | ~Q(error="") | ~Q(rows=[]))
        .update(filename="", error="", rows=[])
    )
    return result
