"""SAML's assertion consumer, finished: allauth's own view with two additions.

1. Replay. allauth accepts a response only in answer to a request this session made (its
   InResponseTo must match one-time state), and refuses IdP-initiated ones. Snowball also
   remembers each assertion's ID until it expires and refuses it a second time, wherever it
   is posted; and a response whose request state is gone is refused with words, not a bare 403.
2. Words. Every failure ends on identity's refusal page (identity.sso.adapter), never a 500.
"""

from __future__ import annotations

import binascii
import logging
from datetime import UTC, datetime, timedelta

from allauth.core.internal import httpkit
from allauth.socialaccount.helpers import complete_social_login, render_authentication_error
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.saml.utils import build_auth
from allauth.socialaccount.providers.saml.views import FinishACSView
from allauth.socialaccount.sessions import LoginSession
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from onelogin.saml2.errors import OneLogin_Saml2_Error

from identity.sso import selectors
from identity.sso.pages import refusal_response
from identity.sso.services import SsoRefused, saml_assertion_use

logger = logging.getLogger(__name__)


class SnowballFinishACSView(FinishACSView):
    def dispatch(self, request: HttpRequest, organization_slug: str) -> HttpResponse:
        sso_provider = selectors.provider_for_key(organization_slug)
        if sso_provider is None or sso_provider.protocol != "saml":
            return refusal_response(request, "unknown_provider", status=404)
        provider = self.get_provider(organization_slug)
        acs_session = LoginSession(request, "saml_acs_session", "saml-acs-session")
        acs_request = None
        acs_request_data = acs_session.store.get("request")
        if acs_request_data:
            acs_request = httpkit.deserialize_request(acs_request_data, HttpRequest())
        acs_session.delete()
        if not acs_request:
            return refusal_response(request, "replayed", provider=sso_provider)
        auth = build_auth(acs_request, provider)
        error_reason, errors = None, []
        try:
            auth.process_response(request_id=None)  # InResponseTo: checked against state below
        except binascii.Error:
            errors, error_reason = ["invalid_response"], "Invalid response"
        except OneLogin_Saml2_Error as e:
            errors, error_reason = ["error"], str(e)
        except Exception as e:
            errors, error_reason = ["invalid_response"], repr(e)
        if not errors:
            errors = auth.get_errors()
        if errors:
            error_reason = auth.get_last_error_reason() or error_reason
            return render_authentication_error(
                request,
                provider,
                extra_context={"saml_errors": errors, "saml_last_error_reason": error_reason},
            )
        if not auth.is_authenticated():
            return render_authentication_error(request, provider, error=AuthError.CANCELLED)
        state_id = auth.get_last_response_in_response_to()
        if not state_id:  # IdP-initiated: Snowball only accepts answers to its own requests
            return refusal_response(request, "replayed", provider=sso_provider)
        try:
            saml_assertion_use(
                provider=sso_provider,
                assertion_id=auth.get_last_assertion_id() or "",
                expires_at=_expiry(auth.get_last_assertion_not_on_or_after()),
            )
        except SsoRefused:
            return refusal_response(request, "replayed", provider=sso_provider)
        try:
            login = provider.sociallogin_from_response(request, auth)
            login.state = provider.unstash_redirect_state(request, state_id)
        except PermissionDenied:  # the request state was used already, or never made here
            return refusal_response(request, "replayed", provider=sso_provider)
        except ValueError:  # no NameID nor subject-id: nobody to sign in
            return refusal_response(request, "no_email", provider=sso_provider)
        return complete_social_login(request, login)


def _expiry(not_on_or_after: object) -> datetime:
    if isinstance(not_on_or_after, int | float):
        return datetime.fromtimestamp(not_on_or_after, tz=UTC)
    return timezone.now() + timedelta(hours=1)


finish_acs = SnowballFinishACSView.as_view()
