"""Writes for activity: uploads run by a task, quick log, SSI entry, API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from metrics import importers
from metrics.ingest import Event, EventWriter, ImportRefused, Summary
from metrics.models import (
    ActivityEvent,
    ActivityImport,
    ApiToken,
    EventKind,
    EventSource,
    ImportKind,
)
from programme.models import Membership, Organisation, Participant

logger = logging.getLogger(__name__)


def progress_key(activity_import_id: int) -> str:
    return f"metrics:import-progress:{activity_import_id}"


def activity_import_create(
    *,
    organisation: Organisation,
    uploaded_by: Membership | None,
    participant: Participant | None,
    kind: str,
    upload: UploadedFile,
) -> ActivityImport:
    """Store the upload; a task parses and writes it once the row is committed."""
    from metrics import tasks

    activity_import = ActivityImport(
        organisation=organisation,
        uploaded_by=uploaded_by,
        participant=participant,
        kind=kind,
        filename=Path(upload.name).name[:255],
    )
    activity_import.file.save(uuid.uuid4().hex, upload, save=False)
    activity_import.save()
    transaction.on_commit(lambda: tasks.activity_import_run.delay(activity_import.pk))
    return activity_import


def run_importer(
    *, kind: str, organisation: Organisation, participant: Participant | None, path: Path,
    filename: str, key: str = "",
) -> Summary:  # fmt: skip
    if kind == ImportKind.LINKEDIN_EXPORT:
        return importers.import_linkedin_export(
            organisation=organisation, participant=participant, path=path, filename=filename,
            progress_key=key,
        )  # fmt: skip
    if kind == ImportKind.LINKEDIN_ANALYTICS:
        return importers.import_linkedin_analytics(
            organisation=organisation, participant=participant, path=path, filename=filename,
            progress_key=key,
        )  # fmt: skip
    if kind == ImportKind.SSI:
        return importers.import_ssi_csv(
            organisation=organisation, path=path, filename=filename, progress_key=key
        )
    return importers.import_crm_csv(
        organisation=organisation, path=path, filename=filename, progress_key=key
    )


def activity_import_run(*, activity_import_id: int) -> ActivityImport | None:
    """Parse and write a stored upload. A redelivered task re-runs safely: writes are idempotent
    and a failed import wrote nothing."""
    claimed = ActivityImport.objects.filter(
        pk=activity_import_id,
        status__in=[ActivityImport.Status.QUEUED, ActivityImport.Status.RUNNING],
    ).update(status=ActivityImport.Status.RUNNING)
    if not claimed:
        return None
    activity_import = ActivityImport.objects.select_related(
        "organisation", "participant__membership__user"
    ).get(pk=activity_import_id)
    try:
        summary = run_importer(
            kind=activity_import.kind,
            organisation=activity_import.organisation,
            participant=activity_import.participant,
            path=Path(activity_import.file.path),
            filename=activity_import.filename,
            key=progress_key(activity_import.pk),
        )
    except ImportRefused as refused:
        summary = Summary(errors=refused.errors)
    except Exception:
        logger.exception("activity import %s failed", activity_import_id)
        summary = Summary(errors=[(activity_import.filename, None, "an unexpected error stopped "
                                   "the import; nothing was written")])  # fmt: skip
    activity_import.status = (
        ActivityImport.Status.FAILED if summary.errors else ActivityImport.Status.DONE
    )
    activity_import.rows_read = summary.rows_read
    activity_import.created_count = summary.created
    activity_import.duplicate_count = summary.duplicates
    activity_import.skipped = [list(s) for s in summary.skipped]
    activity_import.skipped_count = summary.skipped_count
    activity_import.errors = [list(e) for e in summary.errors]
    activity_import.feeds = summary.feeds
    activity_import.finished_at = timezone.now()
    activity_import.save()
    cache.delete(progress_key(activity_import.pk))
    return activity_import


QUICK_LOG_KINDS = {
    "meeting": (EventKind.MEETING_BOOKED, "Booked a meeting via LinkedIn"),
    "reply": (EventKind.MESSAGE_REPLY_RECEIVED, "Got a reply"),
    "comment": (EventKind.COMMENTS_RECEIVED, "Got comments on a post"),
    "deal": (EventKind.DEAL_WON, "Won a deal that started on LinkedIn"),
}


OUTCOMES = (EventKind.MEETING_BOOKED, EventKind.DEAL_WON)


def quick_log(*, participant: Participant, what: str, note: str, key: uuid.UUID) -> bool:
    """Log in seconds. `key` comes from the form, so a double tap logs once."""
    kind, _label = QUICK_LOG_KINDS[what]
    summary = Summary()
    writer = EventWriter(
        organisation=participant.organisation, source=EventSource.QUICK_LOG, summary=summary
    )
    with transaction.atomic():
        writer.add(
            Event(
                participant_id=participant.pk, kind=kind, occurred_at=timezone.now(),
                via_linkedin=True if kind in OUTCOMES else None,
                details={"note": note[:500]} if note else {},
                external_id=f"{participant.pk}:quick:{key}",
            )
        )  # fmt: skip
        writer.flush()
    return summary.created == 1


SSI_CREATED, SSI_CORRECTED, SSI_UNCHANGED = "created", "corrected", "unchanged"


def ssi_record(
    *, participant: Participant, on: datetime, total: Decimal, pillars: dict[str, Decimal]
) -> str:
    """One SSI snapshot per person per day. Entering the same day again corrects it (a typo,
    or a later reading that day); entering the same numbers again changes nothing.

    Returns SSI_CREATED, SSI_CORRECTED or SSI_UNCHANGED.
    """
    event = importers.ssi_event(participant, on, total, pillars)
    summary = Summary()
    writer = EventWriter(
        organisation=participant.organisation, source=EventSource.SSI, summary=summary
    )
    with transaction.atomic():
        writer.add(event)
        writer.flush()
        if summary.created == 1:
            return SSI_CREATED
        # The day's snapshot exists: one compare-and-set UPDATE, a no-op when nothing changed.
        # ingested_at moves so incremental rollups see the correction.
        changed = (
            ActivityEvent.objects.filter(
                organisation_id=participant.organisation_id,
                source=EventSource.SSI,
                external_id=event.external_id,
                participant_id=participant.pk,
            )
            .exclude(value=event.value, details=event.details)
            .update(value=event.value, details=event.details, ingested_at=timezone.now())
        )
    return SSI_CORRECTED if changed else SSI_UNCHANGED


# --- API tokens -----------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(
    *, organisation: Organisation, name: str, by: Membership
) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and stored only as a hash."""
    raw = "sbt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation, name=name, prefix=raw[:10], token_hash=token_hash(raw),
        created_by=by,
    )  # fmt: skip
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("organisation")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def indicator_threshold_set(
    *, organisation_id: int, indicator: str, value: float, reason: str = ""
) -> None:
    """The organisation adopts `value` for one tunable threshold (`metrics.indicators.TUNABLE`),
    replacing what it had adopted before; `reason` says where it came from (the success
    definition voted with the sellers). The caller queues the indicators' recomputation."""
    from metrics.indicators import TUNABLE
    from metrics.models import IndicatorThreshold

    if indicator not in TUNABLE:
        raise ValueError(f"{indicator!r} is not a tunable threshold")
    IndicatorThreshold.objects.update_or_create(
        organisation_id=organisation_id, key=indicator,
        defaults={"value": value, "reason": reason[:300]},
    )  # fmt: skip
