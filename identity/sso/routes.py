"""The sign-in page's question "does this address sign in through a provider?"."""

from __future__ import annotations

from identity.sso import selectors
from identity.sso.pages import provider_login_url, provider_origins
from programme.forms_auth import SignInRoute


def sign_in_route(email: str) -> SignInRoute | None:
    provider = selectors.provider_for_email(email)
    if provider is None:
        return None
    return SignInRoute(
        organisation_id=provider.organisation_id,
        organisation_name=provider.organisation.name,
        provider_name=provider.display_name,
        url=provider_login_url(provider),
        required=provider.require_sso,
        form_action=tuple(provider_origins(provider)),
    )
