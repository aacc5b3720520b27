"""Writes for activity: uploads run by a task, quick log, SSI entry, events posted to the API,
API tokens, adopted indicator thresholds.

Every write that a member makes takes the acting membership and asks metrics.policies itself
(PermissionDenied), so it is safe whoever calls it; the rules a page used to apply (a LinkedIn file
is someone's, the SSI form's pillars) live here too.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from metrics import importers, indicators, policies, selectors
from metrics.importers.api_events import BatchRefused, api_email, api_event, nul_check
from metrics.ingest import Event, EventWriter, ImportRefused, Summary, day_start
from metrics.models import (
    ActivityEvent,
    ActivityImport,
    ApiToken,
    EventKind,
    EventSource,
    ImportKind,
    IndicatorThreshold,
)
from metrics.selectors import progress_key
from programme import services as programme_services
from programme.models import AuditAction, Membership, Organisation, Participant
from programme.tenancy import organisation_zone

__all__ = ["BatchRefused", "progress_key"]  # re-exported: the API and tests name them here

logger = logging.getLogger(__name__)


def activity_import_create(
    *,
    organisation: Organisation,
    uploaded_by: Membership | None,
    participant: Participant | None,
    kind: str,
    upload: UploadedFile,
) -> ActivityImport:
    """Hold the upload until a task has parsed it: the task deletes the file when the import
    finishes, done or refused (`activity_import_run`), and retention deletes any a lost task
    left behind. Only the counts, the file's name and the line messages stay on the row.

    A LinkedIn file is one person's (`participant`: ValidationError without one); the SSI and
    CRM files hold rows for many and belong to nobody. `uploaded_by` is the member uploading,
    whom the policy must allow; None only for the system itself (commands, fault drills).
    """
    from metrics import tasks

    if kind in policies.LINKEDIN_KINDS:
        if participant is None:
            raise ValidationError(
                gettext("Choose whose LinkedIn file this is."), code="participant"
            )
    else:
        participant = None
    if uploaded_by is not None and (
        uploaded_by.organisation_id != organisation.pk
        or not policies.can_import(uploaded_by, kind, participant)
    ):
        raise PermissionDenied("Only the programme team imports files for others.")
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


def upload_discard(activity_import: ActivityImport) -> None:
    """Delete an import's uploaded file and forget where it was. Safe to repeat: the raw
    export holds message texts and other people's contacts, which Snowball never keeps."""
    name = activity_import.file.name
    if not name:
        return
    activity_import.file.storage.delete(name)
    ActivityImport.objects.filter(pk=activity_import.pk).update(file="")
    activity_import.file.name = ""


def activity_import_run(*, activity_import_id: int) -> ActivityImport | None:
    """Parse and write a stored upload, then delete it. A redelivered task re-runs safely:
    writes are idempotent and a failed import wrote nothing."""
    claimed = ActivityImport.objects.filter(
        pk=activity_import_id,
        status__in=[ActivityImport.Status.QUEUED, ActivityImport.Status.RUNNING],
    ).update(status=ActivityImport.Status.RUNNING)
    if not claimed:
        # Finished already; a worker that died between saving the result and deleting the
        # file left it behind: delete it now.
        finished = ActivityImport.objects.filter(pk=activity_import_id).exclude(file="").first()
        if finished is not None:
            upload_discard(finished)
        return None
    activity_import = ActivityImport.objects.select_related(
        "organisation", "participant__membership__user"
    ).get(pk=activity_import_id)
    try:
        if not activity_import.file.name:
            raise ImportRefused([(activity_import.filename, None, "the uploaded file is gone: "
                                  "upload it again")])  # fmt: skip
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
    activity_import.updated_count = summary.days_updated
    activity_import.skipped = [list(s) for s in summary.skipped]
    activity_import.skipped_count = summary.skipped_count
    activity_import.errors = [list(e) for e in summary.errors]
    activity_import.feeds = summary.feeds
    activity_import.finished_at = timezone.now()
    activity_import.save()
    programme_services.publish(
        activity_import.organisation,
        "import.finished",
        {
            "key": str(activity_import.code),
            "data": {
                "import": str(activity_import.code),
                "kind": activity_import.kind,
                "status": activity_import.status,
                "rows_read": summary.rows_read,
                "created": summary.created,
                "duplicates": summary.duplicates,
                "errors": len(summary.errors),
            },
        },
    )
    upload_discard(activity_import)
    cache.delete(progress_key(activity_import.pk))
    return activity_import


QUICK_LOG_KINDS = {
    "meeting": (EventKind.MEETING_BOOKED, _("Booked a meeting via LinkedIn")),
    "reply": (EventKind.MESSAGE_REPLY_RECEIVED, _("Got a reply")),
    "comment": (EventKind.COMMENTS_RECEIVED, _("Got comments on a post")),
    "deal": (EventKind.DEAL_WON, _("Won a deal that started on LinkedIn")),
}


OUTCOMES = (EventKind.MEETING_BOOKED, EventKind.DEAL_WON)


def quick_log(
    *, by: Membership, participant: Participant, what: str, note: str, key: uuid.UUID
) -> bool:
    """Log in seconds. `key` comes from the form, so a double tap logs once."""
    if not policies.can_log_activity(by, participant):
        raise PermissionDenied("Each person logs their own activity.")
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
    *, by: Membership, participant: Participant, on: date, total: Decimal,
    establish_brand: Decimal, find_people: Decimal, engage_insights: Decimal,
    build_relationships: Decimal,
) -> str:  # fmt: skip
    """One SSI snapshot per person per day, as the SSI form names the four pillars. Entering the
    same day again corrects it (a typo, or a later reading that day); entering the same numbers
    again changes nothing.

    Returns SSI_CREATED, SSI_CORRECTED or SSI_UNCHANGED.
    """
    if not policies.can_log_activity(by, participant):
        raise PermissionDenied("Each person enters their own SSI.")
    # Stored under the keys of LinkedIn's SSI export (metrics.importers.ssi.PILLARS), so a typed
    # reading and an imported one are the same snapshot; the day is the organisation's, as for
    # every date-only value.
    pillars = dict(
        zip(
            importers.PILLARS,
            (establish_brand, find_people, engage_insights, build_relationships),
            strict=True,
        )
    )
    moment = day_start(on, organisation_zone(participant.organisation))
    event = importers.ssi_event(participant, moment, total, pillars)
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
    if by.organisation_id != organisation.pk or not policies.can_manage_api_tokens(by):
        raise PermissionDenied("Admins manage API tokens.")
    raw = "sbt_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation, name=name, prefix=raw[:10], token_hash=token_hash(raw),
            created_by=by,
        )  # fmt: skip
        # The audit log keeps the token's name and prefix, never the secret.
        programme_services.audit_record(
            organisation=organisation, action=AuditAction.API_TOKEN_CREATED, actor=by,
            details={"name": token.name, "prefix": token.prefix},
        )  # fmt: skip
    return token, raw


def api_token_revoke(*, token: ApiToken, by: Membership) -> None:
    if by.organisation_id != token.organisation_id or not policies.can_manage_api_tokens(by):
        raise PermissionDenied("Admins manage API tokens.")
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            programme_services.audit_record(
                organisation=token.organisation_id, action=AuditAction.API_TOKEN_REVOKED,
                actor=by, details={"name": token.name, "prefix": token.prefix},
            )  # fmt: skip


def api_token_authenticate(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("organisation")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


# --- Events posted to the API ---------------------------------------------------------------------


@dataclass
class EventResult:
    index: int
    external_id: str | None
    status: str  # "created", "duplicate" or "rejected"
    reason: str = ""


@dataclass
class IngestResult:
    results: list[EventResult] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(result.status == status for result in self.results)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    @property
    def rejected(self) -> int:
        return self._count("rejected")


def events_ingest(*, organisation: Organisation, events: list[Any]) -> IngestResult:
    """A batch posted with one of the organisation's API tokens (the token is the caller's
    credential: whoever holds it writes the organisation's events). Each event is created,
    a duplicate (of a stored one or of one earlier in the batch), or rejected with its reason;
    the valid ones are written in one transaction. A batch holding a NUL character is refused
    whole (BatchRefused), before anything is read or written."""
    nul_check(events)
    people = selectors.participants_by_email(
        organisation, {api_email(raw) for raw in events if isinstance(raw, dict)}
    )
    zone = organisation_zone(organisation)
    results: list[EventResult] = []
    valid: list[tuple[int, Event]] = []
    seen: set[str] = set()
    for index, raw in enumerate(events):
        if not isinstance(raw, dict):
            results.append(EventResult(index, None, "rejected", "each event must be an object"))
            continue
        try:
            event = api_event(raw, people, zone)
        except ValueError as exc:
            external_id = raw.get("external_id")
            external_id = external_id if isinstance(external_id, str) else None
            results.append(EventResult(index, external_id, "rejected", str(exc)))
            continue
        if event.external_id in seen:
            results.append(
                EventResult(index, event.external_id, "duplicate", "repeated in this batch")
            )
            continue
        seen.add(event.external_id)
        valid.append((index, event))
    writer = EventWriter(organisation=organisation, source=EventSource.API, summary=Summary())
    with transaction.atomic():
        for _key, event in valid:
            writer.add(event)
        created = set(writer.flush(returning=True))
    for index, event in valid:
        status = "created" if event.external_id in created else "duplicate"
        results.append(EventResult(index, event.external_id, status))
    results.sort(key=lambda result: result.index)
    return IngestResult(results)


# --- Indicator thresholds -------------------------------------------------------------------------


def thresholds_set(*, by: Membership, values: Mapping[str, float], reason: str = "") -> None:
    """Adopt thresholds for the member's organisation (a success definition voted with the
    sellers): `values` maps keys of metrics.indicators.TUNABLE to their new value, `reason`
    says why (the proposal's statement). The indicators are recomputed once this commits."""
    from metrics import tasks

    if not policies.can_set_thresholds(by):
        raise PermissionDenied("The programme team adopts thresholds.")
    unknown = set(values) - set(indicators.TUNABLE)
    if unknown:
        raise ValidationError(f"Not a tunable indicator: {', '.join(sorted(unknown))}.")
    organisation_id = by.organisation_id
    for key, value in values.items():
        IndicatorThreshold.objects.update_or_create(
            organisation_id=organisation_id, key=key,
            defaults={"value": value, "reason": reason},
        )  # fmt: skip
    if values:
        transaction.on_commit(lambda: tasks.indicators_refresh.delay(organisation_id))
