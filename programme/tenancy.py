"""The one place that resolves the current organisation from a request.

Every tenant view starts with `membership_for_request`; tenant data is then reached only
through selectors that take the organisation it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import Http404, HttpRequest
from django.utils import timezone

from programme.models import Membership, Organisation

SESSION_KEY = "organisation"


def membership_for_request(request: HttpRequest, org: str) -> Membership:
    """The signed-in user's membership of organisation `org` (a slug), or 404.

    An organisation the user does not belong to is indistinguishable from one that
    does not exist.
    """
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=request.user, organisation__slug=org, organisation__archived_at__isnull=True)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    request.membership = membership  # type: ignore[attr-defined]
    request.organisation = membership.organisation  # type: ignore[attr-defined]
    # Forms parse and templates show dates and times in the organisation's zone for the rest
    # of this request; OrganisationTimeZoneMiddleware resets it when the request ends.
    timezone.activate(organisation_zone(membership.organisation))
    if request.session.get(SESSION_KEY) != membership.organisation.slug:
        request.session[SESSION_KEY] = membership.organisation.slug
    return membership


def organisation_zone(organisation: Organisation) -> ZoneInfo:
    """The organisation's time zone; UTC if the stored name is unknown to this machine."""
    try:
        return ZoneInfo(organisation.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@contextmanager
def organisation_time(organisation: Organisation) -> Iterator[None]:
    """Dates and times in the organisation's zone, outside a request (e-mails, tasks)."""
    with timezone.override(organisation_zone(organisation)):
        yield


class OrganisationTimeZoneMiddleware:
    """Every request starts and ends in the default zone: the zone `membership_for_request`
    activates is thread-local and must not leak into the next request on this thread."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def remembered_organisation_slug(request: HttpRequest) -> str | None:
    return request.session.get(SESSION_KEY)
