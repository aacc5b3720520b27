"""Celery tasks for activity: thin, idempotent, take ids."""

from __future__ import annotations

import logging
import time

from celery import shared_task

from metrics import hooks, services

logger = logging.getLogger(__name__)


def _rollup_logged(kind: str, run: object, organisation_id: int) -> int:
    """Runs a rollup and logs each stage's seconds in one line: a slow night (a first full
    rollup once took 185 s on a busy machine, 15 s otherwise) says which stage it was."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    changed = run(organisation_id=organisation_id, timings=timings)
    stages = " ".join(f"{name}={seconds:.2f}s" for name, seconds in timings.items())
    logger.info(
        "rollup %s of organisation %s: %d participant-weeks written in %.2f s (%s)",
        kind, organisation_id, changed, time.perf_counter() - started, stages,
    )  # fmt: skip
    return changed


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def activity_import_run(activity_import_id: int) -> None:
    # The import's messages (line-numbered errors, skipped rows) are stored as text: written in
    # the language of whoever uploaded the file, who reads them.
    from metrics.models import ActivityImport
    from programme.i18n import for_recipient

    upload = (
        ActivityImport.objects.select_related("uploaded_by__user", "organisation")
        .filter(pk=activity_import_id)
        .first()
    )
    if upload is None:
        return
    uploader = upload.uploaded_by.user if upload.uploaded_by else None
    with for_recipient(uploader, upload.organisation):
        services.activity_import_run(activity_import_id=activity_import_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def rollup_incremental(organisation_id: int) -> int:
    from metrics.authenticity import authenticity_compute
    from metrics.rollups import rollup_incremental as run

    changed = _rollup_logged("incremental", run, organisation_id)
    authenticity_compute(organisation_id=organisation_id)
    hooks.run_after_rollup(organisation_id)
    return changed


@shared_task(acks_late=True, soft_time_limit=3000, time_limit=3300)
def rollup_full(organisation_id: int) -> int:
    from metrics.authenticity import authenticity_compute
    from metrics.rollups import rollup_full as run

    changed = _rollup_logged("full", run, organisation_id)
    authenticity_compute(organisation_id=organisation_id)
    hooks.run_after_rollup(organisation_id)
    return changed


@shared_task(acks_late=True, soft_time_limit=3000, time_limit=3300)
def indicators_refresh(organisation_id: int) -> None:
    """After an adopted threshold: indicators and groups recomputed from the weekly counts."""
    from metrics.rollups import refresh_indicators

    refresh_indicators(organisation_id=organisation_id)
    hooks.run_after_rollup(organisation_id)


@shared_task(acks_late=True)
def rollup_all(full: bool = False) -> None:
    """Beat: one task per organisation that has events (each is idempotent)."""
    from metrics.models import ActivityEvent

    task = rollup_full if full else rollup_incremental
    ids = ActivityEvent.objects.values_list("organisation_id", flat=True).distinct()
    for organisation_id in ids:
        task.delay(organisation_id)


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def weekly_summaries_send(organisation_id: int) -> int:
    from metrics.summaries import weekly_summaries_send as send

    return send(organisation_id=organisation_id)


@shared_task(acks_late=True)
def weekly_summaries_all() -> None:
    """Beat, hourly: each organisation's summaries go out from Monday 07:00 in its own time
    zone; a later hour finds them sent (or sends what a failure left behind)."""
    from programme.models import Organisation

    for organisation_id in Organisation.objects.filter(archived_at__isnull=True).values_list(
        "pk", flat=True
    ):
        weekly_summaries_send.delay(organisation_id)


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def profiles_compare(organisation_id: int) -> int:
    from metrics.distinctiveness import profiles_compare as run

    return run(organisation_id=organisation_id)


@shared_task(acks_late=True)
def profiles_compare_all() -> None:
    """Beat, nightly: look-alike profiles of every organisation that has profile texts."""
    from metrics.models import LinkedInProfileText

    ids = LinkedInProfileText.objects.values_list("participant__organisation_id", flat=True)
    for organisation_id in ids.distinct():
        profiles_compare.delay(organisation_id)


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def retention_apply() -> None:
    """Beat, nightly: leftover uploads deleted, old imports' file names and row messages dropped
    (idempotent)."""
    from metrics.retention import imports_prune

    imports_prune()
