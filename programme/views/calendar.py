"""Calendar: the page where a person makes or revokes their private feed address, the feed
itself (outside any organisation, reached by its secret), and cancelling a session."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from programme import calendar, policies, selectors, services
from programme.tenancy import Viewer, tenant_view

# The new address, kept in the person's own session just long enough to show it once.
NEW_FEED_KEY = "calendar_feed_new_url"


@tenant_view
@require_GET
@never_cache
def calendar_feed_page(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    new_url = request.session.pop(NEW_FEED_KEY, None)
    context = {
        "token": calendar.feed_token_live(membership),
        "new_url": new_url,
        "events": calendar.feed_events(membership)[:10],
    }
    return render(request, "programme/calendar_feed.html", context)


@tenant_view
@require_POST
def calendar_feed_create(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    _token, raw = services.calendar_feed_create(by=viewer.membership)
    request.session[NEW_FEED_KEY] = request.build_absolute_uri(
        reverse("programme-calendar-feed-ics", kwargs={"token": raw})
    )
    messages.success(
        request, _("Your new calendar feed address is below. Any older one stopped working.")
    )
    return redirect("programme-calendar-feed", org=viewer.org)


@tenant_view
@require_POST
def calendar_feed_revoke(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if services.calendar_feed_revoke(by=viewer.membership):
        messages.success(request, _("Calendar feed revoked: its address no longer works."))
    return redirect("programme-calendar-feed", org=viewer.org)


@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed: no sign-in (calendar apps cannot), the secret in the address is the key;
    an unknown or revoked one is a 404 like any missing page."""
    membership = calendar.feed_owner(token)
    if membership is None:
        raise Http404
    response = HttpResponse(
        calendar.feed_ics(membership), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="snowball.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@tenant_view(policy=policies.can_manage_programme)
@require_POST
def session_delete(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    session = selectors.session_get(viewer.membership.organisation, code)
    programme_code = session.programme.code
    services.session_delete(session=session, by=viewer.membership)
    messages.success(request, _("Session cancelled; its attendees' calendars are told."))
    return redirect("programme-session-list", org=viewer.org, code=programme_code)
