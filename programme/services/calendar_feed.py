"""Private calendar feeds: each person makes (and revokes) their own secret feed address."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from programme.calendar import feed_token_hash, feed_token_new
from programme.models import CalendarFeedToken, Membership

__all__ = ["calendar_feed_create", "calendar_feed_revoke"]


def calendar_feed_create(*, by: Membership) -> tuple[CalendarFeedToken, str]:
    """A new feed address for `by` (their previous one stops working). Returns the token and
    its secret, which is shown once and stored only as a hash. Everyone may have their own
    feed: it lists only the sessions they are expected at."""
    raw = feed_token_new()
    with transaction.atomic():
        _revoke(by)
        token = CalendarFeedToken.objects.create(
            organisation_id=by.organisation_id, membership=by, prefix=raw[:10],
            token_hash=feed_token_hash(raw),
        )  # fmt: skip
    return token, raw


def calendar_feed_revoke(*, by: Membership) -> int:
    """`by`'s feed address answers 404 from now on. Returns how many were revoked (0 or 1)."""
    return _revoke(by)


def _revoke(membership: Membership) -> int:
    return CalendarFeedToken.objects.filter(
        organisation_id=membership.organisation_id, membership=membership, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
