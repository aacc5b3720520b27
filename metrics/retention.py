"""Retention for activity imports: the uploads themselves never outlive their import, and a
finished import's file name and per-row messages go after IMPORT_DETAILS_RETENTION_DAYS
(its counts stay). Run nightly by beat (metrics.tasks.retention_apply); every step is a
compare-and-set, so running it twice, or after a crash, changes nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from metrics.models import ActivityImport
from metrics.services import upload_discard

# An import still queued or running after this long lost its task (the worker's hard limit is
# 1,900 s): it is refused and its file deleted, so no upload waits on disk for ever.
STALE_AFTER = timedelta(hours=6)
# Files under imports/ that no row names (the row's transaction rolled back after the file was
# written) are deleted once older than this, leaving an upload in flight alone.
ORPHAN_AFTER = timedelta(hours=1)
UPLOAD_FOLDER = "imports"
LOST = "the import never ran (its task was lost); the file was deleted: upload it again"


@dataclass
class ImportsPruned:
    files_deleted: int = 0
    stale_refused: int = 0
    details_dropped: int = 0


def imports_prune(*, now: datetime | None = None) -> ImportsPruned:
    now = now or timezone.now()
    result = ImportsPruned()
    stale = ActivityImport.objects.filter(
        status__in=[ActivityImport.Status.QUEUED, ActivityImport.Status.RUNNING],
        created_at__lt=now - STALE_AFTER,
    )
    for item in stale:
        refused = ActivityImport.objects.filter(pk=item.pk, status=item.status).update(
            status=ActivityImport.Status.FAILED,
            errors=[[item.filename, None, LOST]],
            finished_at=now,
        )
        result.stale_refused += refused
    for item in ActivityImport.objects.exclude(file="").exclude(
        status__in=[ActivityImport.Status.QUEUED, ActivityImport.Status.RUNNING]
    ):
        upload_discard(item)
        result.files_deleted += 1
    result.files_deleted += _orphans_delete(now)
    cutoff = now - timedelta(days=settings.IMPORT_DETAILS_RETENTION_DAYS)
    result.details_dropped = (
        ActivityImport.objects.filter(finished_at__lt=cutoff)
        .filter(~Q(filename="") | ~Q(skipped=[]) | ~Q(errors=[]))
        .update(filename="", skipped=[], errors=[])
    )
    return result


def _orphans_delete(now: datetime) -> int:
    """Files in the upload folder that no import row names."""
    deleted = 0
    try:
        folders, _ = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return 0
    named = set(ActivityImport.objects.exclude(file="").values_list("file", flat=True))
    for folder in folders:
        _, files = default_storage.listdir(f"{UPLOAD_FOLDER}/{folder}")
        for name in files:
            path = f"{UPLOAD_FOLDER}/{folder}/{name}"
            if path in named or default_storage.get_modified_time(path) > now - ORPHAN_AFTER:
                continue
            default_storage.delete(path)
            deleted += 1
    return deleted
