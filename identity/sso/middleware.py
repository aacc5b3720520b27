"""Content-Security-Policy for pages with a "Continue with <provider>" button.

Snowball's policy sends forms to itself only (form-action 'self'), and Chromium applies that to
the redirect a form submission answers with too: the button posts to Snowball, which redirects
to the organisation's identity provider. A page showing such a button names the provider's
origin in `request.sso_form_action`; this adds it to that one response's form-action."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ATTRIBUTE = "sso_form_action"


class SsoFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origins = getattr(request, REQUEST_ATTRIBUTE, None)
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
