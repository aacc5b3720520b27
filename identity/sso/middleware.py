"""Two guards around single sign-on.

SamlHostRequiredMiddleware: python3-saml builds the service provider's addresses from the Host
header (allauth reads request.META["HTTP_HOST"]); a client that sends none (HTTP/1.1 requires
it, every browser sends it) got a 500. It is now told so with a 400 before SAML runs.

SsoFormActionMiddleware: Content-Security-Policy for pages with a "Continue with <provider>"
button.

Snowball's policy sends forms to itself only (form-action 'self'), and Chromium applies that to
the redirect a form submission answers with too: the button posts to Snowball, which redirects
to the organisation's identity provider. A page showing such a button names the provider's
origin in `request.sso_form_action`; this adds it to that one response's form-action."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext

REQUEST_ATTRIBUTE = "sso_form_action"
SAML_PATHS = "/accounts/saml/"


class SamlHostRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(SAML_PATHS) and not request.META.get("HTTP_HOST"):
            return HttpResponseBadRequest(
                gettext(
                    "Bad request: single sign-on needs the Host header, which every browser sends."
                ),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


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
