"""The one place that resolves the current organisation from a request.

Every tenant view is decorated with `tenant_view`: it resolves the signed-in user's
membership of the organisation in the URL (404 otherwise), applies the view's policy (403)
and hands the view a `Viewer`. Tenant data is then reached only through selectors that take
the viewer (or the organisation it carries).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from programme.i18n import zone_of
from programme.membership_lookup import membership_of
from programme.models import Membership, Organisation
from programme.viewer import Viewer

SESSION_KEY = "organisation"

# Checks other apps add to every tenant page, since programme imports none of them: identity's
# "this organisation requires its own single sign-on" (registered from IdentityConfig.ready).
# Each gets the request and the (active) membership and returns None to let the page open, or
# the response to send instead.
AccessCheck = Callable[[HttpRequest, Membership], "HttpResponse | None"]
access_checks: list[AccessCheck] = []


def register_access_check(check: AccessCheck) -> None:
    if check not in access_checks:
        access_checks.append(check)


def membership_for_request(request: HttpRequest, org: str) -> Membership:
    """The signed-in user's membership of organisation `org` (a slug), or 404.

    Called by `tenant_view` only; views receive the `Viewer` it builds.

    An organisation the user does not belong to is indistinguishable from one that
    does not exist.
    """
    if not request.user.is_authenticated:
        raise Http404
    # With the organisation, the member's participant record and its team (nearly every page
    # asks for them), in one query written once (programme.membership_lookup: compiling it
    # through the ORM on every request cost more CPU than the rest of a cheap page). Not the
    # user: the authentication middleware has just read that row.
    membership = membership_of(request.user.pk, org)
    if membership is None:
        raise Http404("No such organisation")
    membership.user = request.user
    request.membership = membership  # type: ignore[attr-defined]
    request.organisation = membership.organisation  # type: ignore[attr-defined]
    # Forms parse and templates show dates and times in the person's zone (else the
    # organisation's) for the rest of this request; OrganisationTimeZoneMiddleware resets it.
    timezone.activate(zone_of(membership.user, membership.organisation))
    if request.session.get(SESSION_KEY) != membership.organisation.slug:
        request.session[SESSION_KEY] = membership.organisation.slug
    return membership


Policy = Callable[[Membership], bool]


def tenant_view(view: Callable | None = None, *, policy: Policy | None = None) -> Callable:
    """The way in to every page inside an organisation (URLs under `o/<slug:org>/`).

    Sign-in is required; a user who is not a member of the organisation gets a 404 (an
    organisation one does not belong to is indistinguishable from one that does not exist); a
    deactivated member (a leaver) gets a 403 page saying their access has ended;
    `policy`, when given, decides from the membership whether the page is open to them (403).
    The view is called as `view(request, viewer, **rest)` instead of with the `org` slug.
    """

    def decorate(function: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(function)
        def wrapper(request: HttpRequest, org: str, *args, **kwargs) -> HttpResponse:
            membership = membership_for_request(request, org)
            if membership.deactivated_at is not None:
                # A leaver (#18): told plainly, never shown the organisation's pages.
                return render(
                    request,
                    "programme/access_ended.html",
                    {"organisation_name": membership.organisation.name},
                    status=403,
                )
            for check in access_checks:
                if (refused := check(request, membership)) is not None:
                    return refused
            viewer = Viewer(membership)
            request.viewer = viewer  # type: ignore[attr-defined]
            if policy is not None and not policy(viewer.membership):
                raise PermissionDenied
            return function(request, viewer, *args, **kwargs)

        wrapper.tenant_policy = policy  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


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
