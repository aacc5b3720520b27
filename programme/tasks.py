"""Celery tasks: thin, idempotent, take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from programme import services
from programme.models import Membership

TASK_OPTIONS = {"acks_late": True, "soft_time_limit": 600, "time_limit": 660}


@shared_task(**TASK_OPTIONS)
def roster_import_apply(roster_import_id: int) -> None:
    services.roster_import_apply(roster_import_id=roster_import_id)


@shared_task(**TASK_OPTIONS, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def invitations_send_for_organisation(
    organisation_id: int, membership_ids: list[int] | None = None
) -> int:
    return services.invitations_send(organisation_id=organisation_id, membership_ids=membership_ids)


@shared_task(**TASK_OPTIONS)
def invitations_send_pending() -> None:
    """Beat's safety net: invitations whose task never ran (e.g. the broker was down)."""
    organisation_ids = (
        Membership.objects.active()
        .filter(invitation_sent_at__isnull=True, joined_at__isnull=True)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for organisation_id in organisation_ids:
        invitations_send_for_organisation.delay(organisation_id)


@shared_task(**TASK_OPTIONS, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def announcement_send(announcement_id: int) -> int:
    return services.announcement_send(announcement_id=announcement_id)


@shared_task(**TASK_OPTIONS, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def announcement_send_reminders(announcement_id: int) -> int:
    return services.announcement_send_reminders(announcement_id=announcement_id)


@shared_task(**TASK_OPTIONS)
def announcements_send_pending() -> None:
    """Beat's safety net: published announcements with people not e-mailed yet."""
    from programme.models import AnnouncementRecipient

    ids = (
        services.wanting_it_now(
            AnnouncementRecipient.objects.filter(
                emailed_at__isnull=True, announcement__status="published"
            )
        )
        .values_list("announcement_id", flat=True)
        .distinct()
    )
    for announcement_id in ids:
        announcement_send.delay(announcement_id)


@shared_task(**TASK_OPTIONS, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notifications_send_immediate(organisation_id: int) -> int:
    return services.notifications_send_immediate(organisation_id=organisation_id)


@shared_task(**TASK_OPTIONS)
def daily_digests_send(organisation_id: int) -> int:
    return services.daily_digests_send(organisation_id=organisation_id)


@shared_task(**TASK_OPTIONS)
def notifications_sweep() -> None:
    """Beat, hourly: today's digests (from 07:00 local), and immediate e-mails whose task never
    ran. Organisations with nothing unsent are skipped."""
    for organisation_id in services.organisations_with_unsent():
        notifications_send_immediate.delay(organisation_id)
        daily_digests_send.delay(organisation_id)


@shared_task(**TASK_OPTIONS)
def data_export_build(export_id: int) -> bool:
    """Build one person's "Download my data" ZIP (a claimed or finished one is left alone)."""
    return services.data_export_build(export_id=export_id)


@shared_task(**TASK_OPTIONS)
def data_exports_prune() -> int:
    """Beat: delete the files of downloads whose link has expired."""
    return services.data_exports_prune()


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def anonymous_flush() -> int:
    """Beat, every programme.anonymous.BATCH_SECONDS: queued anonymous concerns, questions
    and problems written in one shuffled batch (programme.anonymous)."""
    from programme.anonymous import anonymous_flush as flush

    return flush()


@shared_task(**TASK_OPTIONS)
def retention_apply() -> None:
    """Beat, nightly: old notifications, roster imports' names and messages (idempotent)."""
    from programme.services.retention import retention_apply as apply

    apply()


# --- Calendar invitations (programme/calendar.py) ---


@shared_task(**TASK_OPTIONS, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def calendar_sync(source: str, code: str, organisation_id: int) -> int:
    from programme import calendar

    return calendar.calendar_sync(source=source, code=code, organisation_id=organisation_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=270)
def outbox_deliver() -> int:
    """Teams, Slack and webhook messages that are due (beat every 30 s, and on commit).
    Safe to run twice at once: rows are claimed with SKIP LOCKED under a lease."""
    return services.outbox_deliver()
