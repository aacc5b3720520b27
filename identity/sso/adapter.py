"""allauth's hooks for single sign-on: who a provider's sign-in lets in, and the pages that say
no. allauth handles the protocols (OIDC code flow with PKCE, SAML responses checked by
python3-saml); everything after "the provider vouches for this address" is decided here."""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest

from identity.models import SsoProtocol
from identity.sso import selectors
from identity.sso.pages import refusal_response
from identity.sso.services import SsoRefused, sso_sign_in_member

logger = logging.getLogger(__name__)

# The request attribute carrying the organisation whose provider signed this request's person
# in, from `pre_social_login` to the `user_logged_in` receiver (identity.sso.session).
REQUEST_ORGANISATION = "_sso_organisation_id"


class SsoAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: object) -> bool:
        # Nobody is signed up through allauth's own flow: `pre_social_login` either finds the
        # person (or adds them where the admin allowed it) or refuses.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        app = getattr(sociallogin.provider, "app", None)
        provider = selectors.provider_for_app(getattr(app, "pk", None))
        if provider is None:
            raise ImmediateHttpResponse(refusal_response(request, "unknown_provider"))
        asserted = sociallogin.user  # populated from the provider's answer (no lookup result:
        # Snowball keeps no SocialAccount links, so the verified e-mail alone identifies people)
        email = (asserted.email or "").strip().lower()
        if provider.protocol == SsoProtocol.OIDC:
            # Only a provider's explicit email_verified=true counts.
            verified = any(
                address.verified and address.email.lower() == email
                for address in sociallogin.email_addresses
            )
        else:
            # A SAML IdP asserts its own directory's addresses; it is trusted for the domains its
            # organisation's admin listed, and only for those (checked by the service).
            verified = True
        try:
            user = sso_sign_in_member(
                provider=provider,
                email=email,
                email_verified=verified,
                first_name=asserted.first_name or "",
                last_name=asserted.last_name or "",
            )
        except SsoRefused as refused:
            logger.info("SSO sign-in refused: %s (provider %s)", refused.reason, provider.key)
            raise ImmediateHttpResponse(
                refusal_response(request, refused.reason, provider=provider, **refused.context)
            ) from None
        sociallogin.user = user
        setattr(request, REQUEST_ORGANISATION, provider.organisation_id)

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """A protocol failure (bad signature, wrong audience, expired, cancelled...): a page
        saying which, in words, instead of allauth's generic one."""
        extra_context = extra_context or {}
        if "state_id" in extra_context and "state" not in extra_context:
            # An OAuth callback whose state this browser does not hold: already used, or
            # started elsewhere (a replayed or forged callback).
            reason = "stale"
        else:
            reason = protocol_failure_reason(
                error=error,
                exception=exception,
                saml_reason=str(extra_context.get("saml_last_error_reason") or ""),
            )
        app = getattr(provider, "app", None)
        ours = selectors.provider_for_app(getattr(app, "pk", None))
        logger.info(
            "SSO protocol failure: %s (%s %s)",
            reason,
            error,
            extra_context.get("saml_last_error_reason") or exception,
        )
        raise ImmediateHttpResponse(refusal_response(request, reason, provider=ours))


def protocol_failure_reason(*, error: object, exception: object, saml_reason: str) -> str:
    """python3-saml and PyJWT report failures in English sentences; map them to our reasons."""
    text = f"{saml_reason} {exception!r} {getattr(exception, '__cause__', '')!r}".lower()
    if str(error) == "cancelled":
        return "cancelled"
    if "invalid issuer" in text:
        return "issuer"
    if "audience" in text or "invalidaudience" in text:
        return "audience"
    if "signature" in text or "not signed" in text or "invalidsignature" in text:
        return "signature"
    if "expired" in text or "notonorafter" in text or "not_on_or_after" in text:
        return "expired"
    if "not yet valid" in text or "notbefore" in text:
        return "expired"
    return "protocol"
