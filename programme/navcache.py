"""The navigation bar rendered once per person, organisation, page and language (issue #21).

Every page draws the same bar: the role's menus (programme.navigation, ~20 links reversed and
checked against policies), the person's organisations for the switcher and the account menu.
Rendered, it cost 3-4 ms of CPU on each page (bench/page_profile.py), more than some pages'
own content. base.html keeps it in the cache under `nav_cache_key`, a digest of everything it
shows: who (user, name, e-mail), where (membership, role), the person's organisations with
their names and roles (the switcher's list, still read on every page, so a page runs the same
queries whether its bar comes from the cache or not), which page is current, and the
language. Nothing to invalidate: any change makes another key. The sign-out form (its CSRF
token) stays outside the cached part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.utils import translation

from programme.models import Membership

# Bump when base.html's bar changes, so no page shows a bar rendered by the old template.
NAV_MARKUP_VERSION = 1


def nav_cache_key(
    user: object,
    membership: Membership | None,
    memberships: Iterable[Membership],
    url_name: str | None,
) -> str:
    parts = (
        NAV_MARKUP_VERSION,
        user.pk,
        user.email,
        user.get_short_name(),
        getattr(membership, "pk", None),
        getattr(membership, "role", None),
        [(m.pk, m.role, m.organisation.slug, m.organisation.name) for m in memberships],
        url_name,
        translation.get_language(),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
