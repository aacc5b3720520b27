"""The navigation bar rendered once per person, organisation, page and language (issue #21).

Every page draws the same bar: the role's menus (programme.navigation, ~20 links reversed and
checked against policies), the person's organisations for the switcher (a query) and the
account menu. Rendered, it cost 3-4 ms of CPU on each page (bench/page_profile.py), more than
some pages' own content; base.html keeps it in the cache under `nav_cache_key`, made of all it
shows: who (user, name, e-mail), where (membership, role, organisation's name), which page is
current, the language, and the person's navigation version, bumped whenever one of their
memberships is saved or deleted (signals below). The sign-out form (its CSRF token) stays
outside. What a key cannot see (another organisation renamed, a bulk update of roles) shows
within NAV_SECONDS.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation

from programme.models import Membership

NAV_SECONDS = 300
# Bump when base.html's bar changes, so no page shows a bar rendered by the old template.
NAV_MARKUP_VERSION = 1


def _version_key(user_id: int) -> str:
    return f"nav-version:{user_id}"


def nav_cache_key(user: object, membership: Membership | None, url_name: str | None) -> str:
    version = cache.get(_version_key(user.pk), 0)
    parts = (
        NAV_MARKUP_VERSION,
        version,
        user.pk,
        user.email,
        user.get_short_name(),
        getattr(membership, "pk", None),
        getattr(membership, "role", None),
        membership.organisation.name if membership is not None else None,
        url_name,
        translation.get_language(),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def nav_changed(user_id: int) -> None:
    """The person's organisations or roles changed: their next page draws the bar afresh."""
    try:
        cache.incr(_version_key(user_id))
    except ValueError:  # no version yet (or evicted): any new value differs from the old keys
        cache.set(_version_key(user_id), 1, timeout=None)


@receiver(post_save, sender=Membership, dispatch_uid="navcache-membership-saved")
@receiver(post_delete, sender=Membership, dispatch_uid="navcache-membership-deleted")
def _membership_changed(sender: type, instance: Membership, **kwargs: object) -> None:
    nav_changed(instance.user_id)
