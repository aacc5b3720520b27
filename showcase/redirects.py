"""`/r/<code>/<team>/`: a pick's short link. It leads only to the pick's own stored link (no
open redirect: nothing in the request chooses the target), counts one click per (pick, team),
sets no cookie and stores nothing about the person: no IP, no user agent, no session. HEAD
requests and link-preview robots are sent on without being counted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from showcase import selectors, services, sharing


@require_safe
def pick_redirect(request: HttpRequest, code: str, team: str = "") -> HttpResponse:
    link = selectors.share_link_by_code(code)
    if request.method == "GET" and not sharing.is_robot(request.headers.get("User-Agent", "")):
        services.pick_click_count(link=link, team=team)
    target = sharing.tracked_url(link.pick.url, campaign=link.campaign, pick_code=link.code,
                                 team=team if team.isalnum() else "")  # fmt: skip
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"  # every click reaches the counter
    response["Referrer-Policy"] = "no-referrer"
    return response
