"""Batched e-mail that never sends the same message to anyone twice.

Rows are claimed (marked as sent) in their own transaction with SKIP LOCKED before any mail
leaves, so a retried task, a second worker or a repeated run cannot send a message again. A
message that fails to send is released for the next run. The price is at-most-once delivery:
a worker killed between claim and send loses that batch's messages rather than doubling them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Model, QuerySet

from programme.i18n import for_recipient

logger = logging.getLogger(__name__)


def send_claimed_batches(
    *,
    pending: Callable[[], QuerySet],
    claim: dict[str, object],
    release: dict[str, object],
    build: Callable[[Model, object], EmailMessage],
    related: tuple[str, ...] = (),
    recipient: Callable[[Model], tuple[object, object]] | None = None,
) -> int:
    """Claim up to a batch of `pending()` rows by updating them with `claim`, then send.

    `pending` must return rows that are still unsent; once `claim` is applied they must drop
    out of it. Failed messages get `release` applied so a later run retries them.
    `recipient(row)` gives (user, organisation): each message is built in that person's
    language and time zone, whoever's action queued it.
    """
    sent = 0
    while True:
        with transaction.atomic():
            queryset = pending()
            batch = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[: settings.EMAIL_BATCH_SIZE]
            )
            if not batch:
                return sent
            queryset.model.objects.filter(pk__in=batch).update(**claim)
        rows = queryset.model.objects.filter(pk__in=batch).select_related(*related)
        failed = []
        connection = get_connection()
        with connection:
            for row in rows:
                try:
                    with for_recipient(*recipient(row)) if recipient else nullcontext():
                        build(row, connection).send()
                    sent += 1
                except Exception:
                    logger.exception("%s %s: e-mail not sent", queryset.model.__name__, row.pk)
                    failed.append(row.pk)
        if failed:
            queryset.model.objects.filter(pk__in=failed).update(**release)
            return sent
