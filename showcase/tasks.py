"""Background work of the showcase: a pick's preview, fetched after the pick is saved."""

from __future__ import annotations

from celery import shared_task

# Each fetch is capped at a few seconds by showcase.previews; the limits are a backstop.


@shared_task(acks_late=True, soft_time_limit=30, time_limit=40)
def pick_preview_fetch(pick_id: int) -> str:
    from showcase import services

    return services.pick_preview_fetch(pick_id=pick_id)
