"""Background work of the goals app: the weekly key-result check-in reminder."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def checkin_reminders_send(organisation_id: int) -> int:
    from goals.services import checkin_reminders_send as send

    return send(organisation_id=organisation_id)


@shared_task(acks_late=True)
def checkin_reminders_all() -> None:
    """Beat, hourly: each organisation's reminders go out from Monday 09:00 in its own time
    zone, once a week (the service claims each key result's week before telling anyone)."""
    from goals.models import Objective

    live = Objective.objects.filter(archived_at__isnull=True, key_results__source="manual")
    for organisation_id in live.values_list("organisation_id", flat=True).distinct():
        checkin_reminders_send.delay(organisation_id)
